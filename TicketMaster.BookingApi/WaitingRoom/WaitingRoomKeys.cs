using StackExchange.Redis;

namespace TicketMaster.BookingApi.WaitingRoom;

// One event's waiting room lives under its hash tag, like its holds, so each script runs on one cluster slot.
public static class WaitingRoomKeys
{
    /// <summary>The secret that orders pre-sale joiners; its SHA-256 is public from the first join, the seed itself once the sale opens.</summary>
    public static RedisKey Seed(long eventId) => $"tm:{{{eventId}}}:wr:seed";
    /// <summary>Sorted set: queue id → order key (pre-sale: [0, 1) from the seed; later: 1 + arrival number).</summary>
    public static RedisKey Queue(long eventId) => $"tm:{{{eventId}}}:wr:queue";
    public static RedisKey QueueIdByUser(long eventId) => $"tm:{{{eventId}}}:wr:users";
    public static RedisKey UserByQueueId(long eventId) => $"tm:{{{eventId}}}:wr:owners";
    public static RedisKey Arrivals(long eventId) => $"tm:{{{eventId}}}:wr:arrivals";
    /// <summary>How many of the queue, in order, have been let in.</summary>
    public static RedisKey Admitted(long eventId) => $"tm:{{{eventId}}}:wr:admitted";
    /// <summary>queue id → when its pass stops being valid (set when the pass is first handed out).</summary>
    public static RedisKey PassExpiry(long eventId) => $"tm:{{{eventId}}}:wr:passes";
    /// <summary>user id → the place whose pass lapsed unused: the fan joined again at the back, which they may do once.</summary>
    public static RedisKey Requeued(long eventId) => $"tm:{{{eventId}}}:wr:requeued";
    /// <summary>The owner's bounds on the admission rate ("min|max"; one number: a fixed rate), when they set them.</summary>
    public static RedisKey Rate(long eventId) => $"tm:{{{eventId}}}:wr:rate";
    /// <summary>The admission loop's last decision (JSON AdmissionStatus), for the owner and for the fans' wait estimates.</summary>
    public static RedisKey Decision(long eventId) => $"tm:{{{eventId}}}:wr:decision";
    /// <summary>
    /// Reservations made in the event so far (HoldScripts.Reserve counts them): the admission loop's fans who took seats.
    /// Their seats are out of the free count; should they come back, the fan who held them walked away or lost them.
    /// </summary>
    public static RedisKey Served(long eventId) => $"tm:{{{eventId}}}:wr:served";
    /// <summary>Sorted set: one "ms|admitted|served" snapshot per admission tick within the hold time (WaitingRoomScripts.InFlight).</summary>
    public static RedisKey AdmissionWindow(long eventId) => $"tm:{{{eventId}}}:wr:window";
    /// <summary>Events whose waiting room has people in it: what the admission loop walks.</summary>
    public static readonly RedisKey Active = "tm:wr:active";
    /// <summary>The lease that makes one BookingApi replica the admission loop.</summary>
    public static readonly RedisKey AdmissionLeader = "tm:wr:leader";
}
