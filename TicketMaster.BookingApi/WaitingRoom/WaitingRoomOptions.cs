namespace TicketMaster.BookingApi.WaitingRoom;

public sealed class WaitingRoomOptions
{
    /// <summary>Fans let in per second per event, unless an organizer set the event's own rate.</summary>
    public double AdmissionsPerSecond { get; set; } = 50;

    /// <summary>How long a pass lets its fan reserve, counted from when it is first handed out.</summary>
    public TimeSpan PassTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the admission loop lets the next fans in (and renews its lease).</summary>
    public TimeSpan AdmissionTick { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a position stream tells a waiting fan where they are.</summary>
    public TimeSpan PositionUpdateInterval { get; set; } = TimeSpan.FromSeconds(1);

    public bool IsValid() =>
        AdmissionsPerSecond > 0 && PassTtl > TimeSpan.Zero && AdmissionTick > TimeSpan.Zero && PositionUpdateInterval > TimeSpan.Zero;
}
