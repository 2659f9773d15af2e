namespace TicketMaster.BookingApi;

public sealed class BookingOptions
{
    /// <summary>How long a reservation holds its seats: the seed asks 7–10 minutes; tests configure seconds.</summary>
    public TimeSpan HoldTtl { get; set; } = TimeSpan.FromMinutes(8);

    /// <summary>
    /// In a sale through a waiting room, how long a hold lasts unless its fan's checkout keeps it alive
    /// (POST /v1/booking/reservations/{id}/keep-alive), up to the event's hold time: seats a fan walked away from come
    /// back within this, not at the end of the hold. Zero: holds last their hold time. 20 s: the checkout page beats
    /// every ~7 s, so a fan survives two lost keep-alives, and a hot sale's last seats are not stuck behind tabs
    /// closed in its first seconds.
    /// </summary>
    public TimeSpan HoldPresence { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Most seats one reserve request may hold.</summary>
    public int MaxSeatsPerReservation { get; set; } = 10;

    /// <summary>Most events a fan may hold seats in at once (holds, not bought tickets): no one corners several sales.</summary>
    public int MaxEventsHeldPerUser { get; set; } = 3;

    /// <summary>Time to wait for a payment provider before the confirm gives up (the hold stays).</summary>
    public TimeSpan PaymentTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A payment untouched this long is no longer part of a running confirm: the reconciler settles it.</summary>
    public TimeSpan ReconcileAfter { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle seat stream sends a comment line, so proxies and clients know it is alive.</summary>
    public TimeSpan SeatStreamHeartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Queued (default): confirmations reach MySQL through RabbitMQ and a batching writer; Direct: each confirm
    /// writes its own transaction. Both keep the same invariants; bench/ measures which is faster.
    /// </summary>
    public BookingWritePath WritePath { get; set; } = BookingWritePath.Queued;

    /// <summary>Most confirmations the queued writer records in one transaction.</summary>
    public int WriteBatchSize { get; set; } = 64;

    /// <summary>
    /// Batches each replica's queued writer records at once (one connection each). One writer runs MySQL's side of
    /// a batch on a single server thread; two let the database use a second core while the first batch executes.
    /// Concurrent batches are safe for the same reason several replicas are: each reservation is guarded on its own.
    /// </summary>
    public int WriteConcurrency { get; set; } = 2;

    /// <summary>How long a confirm waits for the queued writer before answering 202 with a status URL.</summary>
    public TimeSpan QueuedWriteTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest a best-available reserve may wait for seats to come back (its `wait_seconds`; ReturnsWaitlist).</summary>
    public TimeSpan MaxReturnsWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most reserves waiting for returned seats in one process; beyond it a reserve is answered at once.</summary>
    public int ReturnsWaitLimit { get; set; } = 10_000;

    /// <summary>How often the invariant gauge re-checks each active sale.</summary>
    public TimeSpan InvariantCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>What a deployment may not set: a zero or negative time, count or size would stop a sale in odd ways.</summary>
    public bool IsValid() =>
        HoldTtl > TimeSpan.Zero && HoldTtl <= TimeSpan.FromHours(1)
        && MaxSeatsPerReservation is >= 1 and <= 100 && MaxEventsHeldPerUser >= 1
        && PaymentTimeout > TimeSpan.Zero && ReconcileAfter > TimeSpan.Zero && ReconcileInterval > TimeSpan.Zero
        && SeatStreamHeartbeat > TimeSpan.Zero && WriteBatchSize >= 1 && WriteConcurrency >= 1
        && QueuedWriteTimeout > TimeSpan.Zero && InvariantCheckInterval > TimeSpan.Zero && Enum.IsDefined(WritePath)
        && HoldPresence >= TimeSpan.Zero && HoldPresence <= TimeSpan.FromMinutes(10)
        && MaxReturnsWait >= TimeSpan.Zero && MaxReturnsWait <= TimeSpan.FromMinutes(2) && ReturnsWaitLimit >= 0;
}

public enum BookingWritePath { Queued, Direct }
