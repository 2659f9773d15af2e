namespace TicketMaster.BookingApi.WaitingRoom;

public sealed class WaitingRoomOptions
{
    /// <summary>The most fans let in per second per event, unless its owner set their own bounds.</summary>
    public double AdmissionsPerSecond { get; set; } = 50;

    /// <summary>The fewest fans let in per second per event while seats remain, unless its owner set their own bounds.</summary>
    public double MinAdmissionsPerSecond { get; set; } = 5;

    /// <summary>The booking path's p95 (reserve and confirm, worst replica) above which admission slows down.</summary>
    public TimeSpan LatencyObjective { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a pass lets its fan reserve, counted from when it is first handed out.</summary>
    public TimeSpan PassTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the admission loop lets the next fans in (and renews its lease).</summary>
    public TimeSpan AdmissionTick { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a position stream tells a waiting fan where they are.</summary>
    public TimeSpan PositionUpdateInterval { get; set; } = TimeSpan.FromSeconds(1);

    public bool IsValid() =>
        AdmissionsPerSecond > 0 && MinAdmissionsPerSecond > 0 && MinAdmissionsPerSecond <= AdmissionsPerSecond
        && LatencyObjective > TimeSpan.Zero && PassTtl > TimeSpan.Zero && AdmissionTick > TimeSpan.Zero && PositionUpdateInterval > TimeSpan.Zero;
}
