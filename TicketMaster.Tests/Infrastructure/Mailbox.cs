using MimeKit;

namespace TicketMaster.Tests.Infrastructure;

/// <summary>What the run's SMTP server received (its Maildir), read as the mail clients would.</summary>
public static class Mailbox
{
    public static List<MimeMessage> To(this AppHostFixture fixture, string address)
    {
        if (!Directory.Exists(fixture.MailDir))
        {
            return [];
        }
        var received = new List<MimeMessage>();
        foreach (var file in Directory.GetFiles(fixture.MailDir))
        {
            var message = MimeMessage.Load(file);
            if (message.To.Mailboxes.Any(m => m.Address == address))
            {
                received.Add(message);
            }
        }
        return received;
    }

    /// <summary>Waits (up to 30 s) until the server has received a mail to <paramref name="address"/> whose subject starts so.</summary>
    public static async Task<MimeMessage> MailAsync(this AppHostFixture fixture, string address, string subjectStart, int count = 1)
    {
        List<MimeMessage> found = [];
        await Eventually.TrueAsync(() =>
        {
            found = fixture.To(address).Where(m => (m.Subject ?? "").StartsWith(subjectStart, StringComparison.Ordinal)).ToList();
            return Task.FromResult(found.Count >= count);
        }, TimeSpan.FromSeconds(30), $"{count} mail(s) '{subjectStart}…' to {address}");
        return found[^1];
    }

    /// <summary>The inline images of a mail (its QR codes), as bytes.</summary>
    public static List<byte[]> Images(this MimeMessage message) =>
        message.BodyParts.OfType<MimePart>().Where(p => p.ContentType.MimeType == "image/png").Select(p =>
        {
            using var bytes = new MemoryStream();
            p.Content!.DecodeTo(bytes);
            return bytes.ToArray();
        }).ToList();
}
