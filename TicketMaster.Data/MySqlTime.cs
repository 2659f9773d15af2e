namespace TicketMaster.Data;

public static class MySqlTime
{
    /// <summary>A DATETIME read back from MySQL: every time is stored in UTC, but the column keeps no zone.</summary>
    public static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
