namespace TicketMaster.BookingApi.Mail;

/// <summary>What a mail tells, and what its subject id names.</summary>
public static class MailKinds
{
    /// <summary>The booking's tickets with their QR codes; subject: the booking.</summary>
    public const string BookingConfirmed = "booking_confirmed";

    /// <summary>Money going back, a fan's cancel or the event's; subject: the refund.</summary>
    public const string Refund = "refund";

    /// <summary>To the giver of a ticket; subject: the ticket, version: its new code generation.</summary>
    public const string TicketSent = "ticket_sent";

    /// <summary>To the recipient, with the ticket's new code; subject and version as for <see cref="TicketSent"/>.</summary>
    public const string TicketReceived = "ticket_received";

    /// <summary>To each holder of a valid ticket; subject: the event, version: the catalog's version that moved it.</summary>
    public const string EventRescheduled = "event_rescheduled";

    /// <summary>To a holder of a ticket given to them (the buyer learns it with their refund); subject: the event.</summary>
    public const string EventCancelled = "event_cancelled";
}
