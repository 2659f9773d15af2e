namespace TicketMaster.BookingApi.WaitingRoom;

/// <summary>The owner's bounds on an event's admission rate (fans per second); equal bounds fix the rate.</summary>
public sealed record AdmissionLimits(double Min, double Max);

/// <summary>
/// What the rate follows: seats no one holds or bought, fans admitted within the last hold time (the ones who may still
/// take a seat), and the booking path's recent p95 latency across replicas (null when nobody reserved or confirmed lately).
/// </summary>
public sealed record AdmissionSignals(long FreeSeats, long FansInFlight, double? PathP95Milliseconds);

public static class AdmissionReasons
{
    public const string Rising = "rising";
    public const string AtMaximum = "at_maximum";
    public const string Falling = "falling";
    public const string WaitingForSeats = "waiting_for_seats";
    public const string SoldOut = "sold_out";
}

/// <summary>The rate the waiting room admits at, and why.</summary>
public sealed record AdmissionDecision(double Rate, string Reason, string Detail);

// Admits as fast as the booking path serves and no faster than seats allow (DESIGN §5). Additive increase while the
// path's p95 is under its objective (a tenth of the owner's maximum per second, so the maximum is reached in ten),
// multiplicative decrease when it is over (halved per second), within the owner's bounds; and nobody while as many
// fans are admitted and unfinished as there are free seats (a hold that lapses frees its seat and admission resumes).
public static class AdmissionController
{
    public static AdmissionDecision Next(double rate, AdmissionLimits limits, AdmissionSignals signals, double objectiveMilliseconds, double seconds)
    {
        if (signals.FreeSeats <= 0)
        {
            return new AdmissionDecision(0, AdmissionReasons.SoldOut, "every seat is held or sold: nobody more is let in unless a hold lapses");
        }
        if (signals.FansInFlight >= signals.FreeSeats)
        {
            return new AdmissionDecision(0, AdmissionReasons.WaitingForSeats,
                $"{signals.FansInFlight} fans let in within the hold time for {signals.FreeSeats} free seats");
        }
        // Restarting from a stop (or from the first tick) begins at the minimum.
        rate = Math.Clamp(rate, limits.Min, limits.Max);
        if (signals.PathP95Milliseconds is { } p95 && p95 > objectiveMilliseconds)
        {
            return new AdmissionDecision(Math.Max(limits.Min, rate * Math.Pow(0.5, seconds)), AdmissionReasons.Falling,
                $"the booking path's p95 is {p95:F0} ms, over its {objectiveMilliseconds:F0} ms objective");
        }
        var next = Math.Min(limits.Max, rate + limits.Max / 10 * seconds);
        var latency = signals.PathP95Milliseconds is { } fast ? $"the booking path's p95 is {fast:F0} ms" : "the booking path is idle";
        return next >= limits.Max
            ? new AdmissionDecision(limits.Max, AdmissionReasons.AtMaximum, $"{latency}, under its {objectiveMilliseconds:F0} ms objective")
            : new AdmissionDecision(next, AdmissionReasons.Rising, $"{latency}, under its {objectiveMilliseconds:F0} ms objective");
    }
}
