namespace TicketMaster.Onsale;

/// <summary>The shape of one simulated onsale (./bench.sh onsale --seats N --users M).</summary>
public sealed record OnsaleOptions(int Seats, int Users)
{
    /// <summary>Fans acting (one HTTP request each) at the same moment.</summary>
    public int Concurrency { get; init; } = 64;
    /// <summary>Fans arriving at the waiting room per second (the first arrive before the sale opens).</summary>
    public double ArrivalsPerSecond { get; init; } = 4_000;
    public double AdmissionsPerSecond { get; init; } = 100;
    /// <summary>The sale opens this long after the event is created: fans who join before are shuffled.</summary>
    public TimeSpan PreSale { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>The hold TTL the AppHost runs with: after the last fan, the run waits this long for abandoned holds to lapse.</summary>
    public TimeSpan HoldTtl { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Time for the payment reconciler to settle what interrupted confirms left (its ReconcileAfter + interval).</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(6);
    public double AbandonRate { get; init; } = 0.08;
    public double DeclineRate { get; init; } = 0.05;
    public int MaxTicketsPerFan { get; init; } = 4;
    public int SseClients { get; init; } = 3;
    public int RandomSeed { get; init; } = 2026;
}

/// <summary>Where the simulation runs: clients of the two APIs, the JWT key to mint fans' tokens, and MySQL for the final audit.</summary>
public sealed record OnsaleTarget(Func<string, HttpClient> Client, string SigningKey, string MySqlConnectionString);
