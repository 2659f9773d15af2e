namespace TicketMaster.Onsale;

/// <summary>The shape of one simulated onsale (./bench.sh onsale --seats N --users M).</summary>
public sealed record OnsaleOptions(int Seats, int Users)
{
    /// <summary>Fans acting (one HTTP request each) at the same moment.</summary>
    public int Concurrency { get; init; } = 64;
    /// <summary>Fans arriving at the waiting room per second (the first arrive before the sale opens).</summary>
    public double ArrivalsPerSecond { get; init; } = 4_000;
    /// <summary>The waiting room's most admissions per second; it adapts below that (at least a twentieth of it).</summary>
    public double AdmissionsPerSecond { get; init; } = 100;
    /// <summary>"best": fans ask for the best N seats side by side; "pick": they pick free seats from the live board.</summary>
    public string Mode { get; init; } = OnsaleModes.Best;
    /// <summary>The sale opens this long after the event is created: fans who join before are shuffled.</summary>
    public TimeSpan PreSale { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>
    /// How long a hold lasts: the event's own hold time when within the owner's bounds (2–10 min), else the AppHost's
    /// Booking:HoldTtl (the tests' seconds). After the last fan, the run waits this long for abandoned holds to lapse.
    /// </summary>
    public TimeSpan HoldTtl { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>Time for the payment reconciler to settle what interrupted confirms left (its ReconcileAfter + interval).</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(6);
    public double AbandonRate { get; init; } = 0.08;
    public double DeclineRate { get; init; } = 0.05;
    public int MaxTicketsPerFan { get; init; } = 4;
    /// <summary>Best mode: how long a reserve that finds every seat held waits for seats to come back (its wait_seconds).</summary>
    public int ReturnsWaitSeconds { get; init; } = 30;
    public int SseClients { get; init; } = 3;
    public int RandomSeed { get; init; } = 2026;
}

public static class OnsaleModes
{
    public const string Best = "best";
    public const string Pick = "pick";
}

/// <summary>Where the simulation runs: clients of the two APIs, the JWT key to mint fans' tokens, and MySQL for the final audit.</summary>
public sealed record OnsaleTarget(Func<string, HttpClient> Client, string SigningKey, string MySqlConnectionString);
