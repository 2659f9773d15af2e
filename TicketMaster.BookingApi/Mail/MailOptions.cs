namespace TicketMaster.BookingApi.Mail;

/// <summary>Mail:* — how the fans' mail leaves (the SMTP server is ConnectionStrings__mail: smtp:// or smtps://).</summary>
public sealed class MailOptions
{
    /// <summary>The sender fans see; its domain also names every Message-Id.</summary>
    public string From { get; set; } = "TicketMaster <tickets@ticketmaster.local>";

    /// <summary>How often each replica looks for mail that is due.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Most mails one replica sends per pass. Without a sale a backlog goes out pass after pass; during one, one pass
    /// per <see cref="Interval"/> (a confirmation mail costs milliseconds of CPU: it draws a QR code per ticket).
    /// </summary>
    public int PerPass { get; set; } = 100;

    /// <summary>
    /// A replica that wrote bookings this recently is selling: it sends only mail owed longer than <see cref="MaxDelay"/>,
    /// and leaves its CPU to the confirms (measured: sending alongside a sale took 40 % of its confirms per second).
    /// </summary>
    public TimeSpan QuietAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest a sale makes mail wait.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a replica owns the mails it took: one that died meanwhile leaves them to the next pass after it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Tries before a mail the server keeps refusing is given up (status failed): pauses grow to 10 minutes, so about 7 hours.</summary>
    public int MaxAttempts { get; set; } = 50;

    public bool IsValid() =>
        MimeKit.MailboxAddress.TryParse(From, out _) && Interval > TimeSpan.Zero && PerPass is >= 1 and <= 1_000
        && Lease > TimeSpan.Zero && MaxAttempts >= 1 && QuietAfter >= TimeSpan.Zero && MaxDelay >= TimeSpan.Zero;
}
