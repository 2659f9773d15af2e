using TicketMaster.BookingApi.WaitingRoom;

namespace TicketMaster.Tests.BookingApi.WaitingRoom;

// The admission rate's rule on its own, tick by tick: the signals (free seats, fans let in, the booking path's p95)
// are given, as the admission loop measures them on the real topology (WaitingRoomTests follows it there).
public sealed class AdmissionControllerTests
{
    private static readonly AdmissionLimits Limits = new(Min: 10, Max: 200);
    private const double Objective = 250;

    private static List<AdmissionDecision> Run(double rate, int ticks, AdmissionSignals signals)
    {
        var decisions = new List<AdmissionDecision>();
        for (var i = 0; i < ticks; i++)
        {
            var decision = AdmissionController.Next(rate, Limits, signals, Objective, seconds: 0.25);
            decisions.Add(decision);
            rate = decision.Rate;
        }
        return decisions;
    }

    [Fact]
    public void It_rises_from_the_minimum_while_the_path_is_fast_and_seats_remain_up_to_the_maximum()
    {
        var decisions = Run(0, 48, new AdmissionSignals(FreeSeats: 50_000, FansInFlight: 100, PathP95Milliseconds: 40));
        Assert.Equal(15, decisions[0].Rate); // the minimum, plus a tenth of the maximum per second for a quarter second
        Assert.True(decisions.Zip(decisions.Skip(1)).All(pair => pair.Second.Rate >= pair.First.Rate));
        Assert.Equal(AdmissionReasons.Rising, decisions[10].Reason);
        // A tenth of the maximum per second: the maximum within ten seconds, then held there.
        Assert.Equal(200, decisions[^1].Rate);
        Assert.Equal(AdmissionReasons.AtMaximum, decisions[^1].Reason);
        // An idle path (no samples) is no reason to hold back.
        Assert.Equal(AdmissionReasons.Rising, AdmissionController.Next(50, Limits, new AdmissionSignals(100, 0, null), Objective, 0.25).Reason);
    }

    [Fact]
    public void It_halves_each_second_while_the_path_is_over_its_objective_and_never_below_the_minimum()
    {
        var decisions = Run(200, 4, new AdmissionSignals(FreeSeats: 50_000, FansInFlight: 100, PathP95Milliseconds: 400));
        Assert.All(decisions, d => Assert.Equal(AdmissionReasons.Falling, d.Reason));
        Assert.Equal(100, decisions[^1].Rate, precision: 6);
        Assert.Contains("400 ms, over its 250 ms objective", decisions[0].Detail);
        Assert.Equal(10, Run(200, 40, new AdmissionSignals(50_000, 100, 400))[^1].Rate, precision: 6);
    }

    [Fact]
    public void It_stops_while_as_many_fans_are_in_as_seats_are_free_and_at_sold_out()
    {
        var waiting = AdmissionController.Next(120, Limits, new AdmissionSignals(FreeSeats: 300, FansInFlight: 300, PathP95Milliseconds: 40), Objective, 0.25);
        Assert.Equal((0d, AdmissionReasons.WaitingForSeats), (waiting.Rate, waiting.Reason));
        var soldOut = AdmissionController.Next(120, Limits, new AdmissionSignals(FreeSeats: 0, FansInFlight: 0, PathP95Milliseconds: 40), Objective, 0.25);
        Assert.Equal((0d, AdmissionReasons.SoldOut), (soldOut.Rate, soldOut.Reason));
        // Seats freed again (holds lapsed): it starts over from the minimum.
        Assert.Equal(15, AdmissionController.Next(0, Limits, new AdmissionSignals(100, 0, 40), Objective, 0.25).Rate);
    }
}
