namespace TicketMaster.BookingApi.WaitingRoom;

public static class QueueStates
{
    public const string Waiting = "waiting";
    public const string Admitted = "admitted";
    public const string Expired = "expired";
    public const string SoldOut = "sold_out";
}

/// <summary>A fan's place: position counts from 1 (next in); the pass comes once admitted.</summary>
public sealed record QueueStatus(string QueueId, long EventId, string Status, long Position, double EstimatedWaitSeconds,
    string? Pass, DateTimeOffset? PassExpiresAt, DateTimeOffset OnSaleAt);

/// <summary>What the admission loop decided last for an event, and from what (GET …/queue/admission, the owner's).</summary>
public sealed record AdmissionStatus(long EventId, double AdmissionsPerSecond, string Reason, string Detail, double MinPerSecond, double MaxPerSecond,
    long FreeSeats, long FansInFlight, double? PathP95Milliseconds, double ObjectiveMilliseconds, DateTimeOffset DecidedAt);

/// <summary>The public facts of a waiting room, including what a fan needs to check the pre-sale shuffle.</summary>
public sealed record QueueInfo(long EventId, DateTimeOffset OnSaleAt, string SeedSha256, string? Seed, long InQueue, long Admitted,
    double AdmissionsPerSecond, string OrderRule);
