using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Signing;
using TicketMaster.BookingApi.WaitingRoom;

namespace TicketMaster.Tests.BookingApi.Bookings;

// Ticket codes and queue passes are signed with keys of their own, named in every code: rotating in a new key keeps
// the old codes valid until the old key is removed.
public sealed class SigningKeyTests
{
    private static readonly string Old = new('o', 40);
    private static readonly string New = new('n', 40);

    [Fact]
    public void A_ticket_code_issued_before_a_rotation_verifies_until_its_key_is_removed()
    {
        var before = new TicketCodes(new SigningKeyRing("k1", new Dictionary<string, string> { ["k1"] = Old }));
        var rotated = new TicketCodes(new SigningKeyRing("k2", new Dictionary<string, string> { ["k1"] = Old, ["k2"] = New }));
        var retired = new TicketCodes(new SigningKeyRing("k2", new Dictionary<string, string> { ["k2"] = New }));

        var oldCode = before.Issue(1, 2, 3);
        var newCode = rotated.Issue(4, 2, 5);

        Assert.StartsWith("TM2.k1.1.2.3.", oldCode);
        Assert.StartsWith("TM2.k2.4.2.5.", newCode);
        Assert.Equal(TicketCodes.Verdict.Valid, rotated.Verify(oldCode, out var ticket, out var evt));
        Assert.Equal((1L, 2L), (ticket, evt));
        Assert.Equal(TicketCodes.Verdict.Valid, rotated.Verify(newCode, out _, out _));
        Assert.Equal(TicketCodes.Verdict.Forged, retired.Verify(oldCode, out _, out _));
        Assert.Equal(TicketCodes.Verdict.Forged, before.Verify(newCode, out _, out _));
        // Claiming another key id does not help a code signed with one.
        Assert.Equal(TicketCodes.Verdict.Forged, rotated.Verify(oldCode.Replace("TM2.k1.", "TM2.k2."), out _, out _));
    }

    [Fact]
    public void A_queue_pass_issued_before_a_rotation_stays_valid_and_names_its_key()
    {
        var before = new QueuePasses(new SigningKeyRing("k1", new Dictionary<string, string> { ["k1"] = Old }));
        var rotated = new QueuePasses(new SigningKeyRing("k2", new Dictionary<string, string> { ["k1"] = Old, ["k2"] = New }));
        var retired = new QueuePasses(new SigningKeyRing("k2", new Dictionary<string, string> { ["k2"] = New }));
        var now = DateTimeOffset.UtcNow;

        var pass = before.Issue(7, "fan-1", now.AddMinutes(5));

        Assert.StartsWith("WR2.k1.7.", pass);
        Assert.True(rotated.IsValid(pass, 7, "fan-1", now));
        Assert.False(retired.IsValid(pass, 7, "fan-1", now));
        Assert.False(rotated.IsValid(pass, 7, "Fan-1", now));
    }
}
