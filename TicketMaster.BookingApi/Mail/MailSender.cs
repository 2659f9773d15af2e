using System.Diagnostics.Metrics;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using MySqlConnector;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.ServiceDefaults.Telemetry;

namespace TicketMaster.BookingApi.Mail;

// Sends the mail owed (the mail table) over SMTP, at least once. Each pass of each replica takes up to Mail:PerPass
// due mails (rows other replicas hold are skipped: FOR UPDATE SKIP LOCKED), leases them by moving their next attempt
// past Mail:Lease, and commits that before talking to the server; a sent mail is then marked sent. A replica that dies
// between the server's 250 and that mark leaves the mail to be sent again when the lease ends — with the same
// Message-Id, made from the mail's key, so a mail client shows it once. A refused mail waits longer each time. The
// sale comes first: while the replica is writing bookings, mail waits (at most Mail:MaxDelay) for the rush to pass.
public sealed class MailSender(MySqlDataSource dataSource, MailComposer composer, Bookings.BookingWriter bookings, IOptions<MailOptions> options,
    IConfiguration configuration, IMeterFactory meters, ILogger<MailSender> logger) : BackgroundService
{
    /// <summary>The SMTP server: smtp://host:port (STARTTLS when offered) or smtps://host:port, user:password@ when it wants a login.</summary>
    public const string ConnectionName = "mail";

    private static readonly TimeSpan MaxPause = TimeSpan.FromMinutes(10);

    private readonly Counter<long> _outcomes = meters.Create("TicketMaster").CreateCounter<long>("ticketmaster.mail.outcomes", "{mail}",
        "Mails that left the outbox, by outcome (sent, no_address, failed) and by tries that the server refused (retry).");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (configuration.GetConnectionString(ConnectionName) is not { Length: > 0 } connectionString)
        {
            logger.LogWarning("No mail server (ConnectionStrings:{Name}): mail is kept owed and sent once one is configured", ConnectionName);
            return;
        }
        var server = new Uri(connectionString);
        var from = MailboxAddress.Parse(options.Value.From);
        await BackgroundPasses.RunAsync(cancellationToken => SendDueAsync(server, from, cancellationToken), () => options.Value.Interval,
            logger, "Sending mail", stoppingToken);
    }

    /// <summary>One pass: sends what is due, up to Mail:PerPass. True when more may be due and the next pass should follow at once.</summary>
    public async Task<bool> SendDueAsync(Uri server, MailboxAddress from, CancellationToken cancellationToken)
    {
        var perPass = options.Value.PerPass;
        // While this replica sells, only mail that has waited the longest a sale may make it wait goes out.
        var selling = DateTime.UtcNow - bookings.LastBookedUtc < options.Value.QuietAfter;
        var owedFor = selling ? options.Value.MaxDelay : TimeSpan.Zero;
        List<(OwedMail Mail, string? Address)> due;
        using (BackgroundTracing.Quiet())
        {
            due = await TakeDueAsync(perPass, owedFor, cancellationToken);
        }
        if (due.Count == 0)
        {
            return false;
        }

        using var work = BackgroundTracing.Work("mail send");
        SmtpClient? smtp = null;
        var serverAway = false;
        // Marked at the end of the pass, one statement per outcome: a crash before that resends them (at least once).
        var done = new List<(OwedMail Mail, string Status)>();
        try
        {
            foreach (var (mail, address) in due)
            {
                if (serverAway)
                {
                    await PostponeAsync(mail);
                    continue;
                }
                if (address is null)
                {
                    done.Add((mail, "no_address"));
                    continue;
                }
                MimeMessage? message;
                try
                {
                    message = await ComposeAsync(mail, from, address, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException && ex is not MySqlException)
                {
                    // One mail that cannot be written must not hold back the others (nor come back every pass).
                    logger.LogError(ex, "Mail {Kind} about {Subject} could not be written; given up", mail.Kind, mail.SubjectId);
                    done.Add((mail, "failed"));
                    continue;
                }
                if (message is null)
                {
                    logger.LogWarning("Mail {Kind} about {Subject} has nothing left to tell; given up", mail.Kind, mail.SubjectId);
                    done.Add((mail, "failed"));
                    continue;
                }
                try
                {
                    smtp ??= await ConnectAsync(server, cancellationToken);
                    await smtp.SendAsync(message, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "The mail server refused mail {Kind} about {Subject}; trying again later", mail.Kind, mail.SubjectId);
                    await PostponeAsync(mail);
                    // A refused recipient is this mail's problem; anything else (no connection, TLS, login) is the
                    // server's, and the rest of the pass waits with it.
                    serverAway = ex is not SmtpCommandException;
                    continue;
                }
                done.Add((mail, "sent"));
            }
        }
        finally
        {
            await QuitAsync(smtp);
            await MarkDoneAsync(done);
        }
        // A backlog is drained pass after pass at once, unless a sale is on: then Mail:PerPass per interval at most.
        return due.Count == perPass && !serverAway && !selling;
    }

    private static async Task QuitAsync(SmtpClient? smtp)
    {
        if (smtp is null)
        {
            return;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await smtp.DisconnectAsync(quit: true, timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The mails were accepted before; a server that does not say goodbye changes nothing.
        }
        smtp.Dispose();
    }

    /// <summary>The Message-Id of this mail, the same every time it is sent.</summary>
    public static string MessageId(OwedMail mail, MailboxAddress from) =>
        $"{mail.Kind}.{mail.SubjectId}.{mail.Version}.{UserIds.KeyHash(mail.UserId)}@{from.Domain}";

    private async Task<MimeMessage?> ComposeAsync(OwedMail mail, MailboxAddress from, string address, CancellationToken cancellationToken)
    {
        if (await composer.ComposeAsync(mail, cancellationToken) is not var (subject, body))
        {
            return null;
        }
        var message = new MimeMessage { Subject = subject, Body = body.ToMessageBody(), MessageId = MessageId(mail, from) };
        message.From.Add(from);
        message.To.Add(new MailboxAddress(null, address));
        return message;
    }

    private static async Task<SmtpClient> ConnectAsync(Uri server, CancellationToken cancellationToken)
    {
        var smtp = new SmtpClient { Timeout = 30_000 };
        try
        {
            var secure = server.Scheme == "smtps" ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable;
            await smtp.ConnectAsync(server.Host, server.IsDefaultPort ? (server.Scheme == "smtps" ? 465 : 25) : server.Port, secure, cancellationToken);
            if (server.UserInfo is { Length: > 0 } userInfo)
            {
                var (user, password) = userInfo.Split(':', 2) is [var u, var p] ? (u, p) : (userInfo, "");
                await smtp.AuthenticateAsync(Uri.UnescapeDataString(user), Uri.UnescapeDataString(password), cancellationToken);
            }
            return smtp;
        }
        catch
        {
            smtp.Dispose();
            throw;
        }
    }

    // Takes the due mails this replica will send now, with the address each fan's token last carried.
    private async Task<List<(OwedMail, string?)>> TakeDueAsync(int perPass, TimeSpan owedFor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var mails = new List<OwedMail>();
        await using (var read = new MySqlCommand($"""
            SELECT kind, subject_id, subject_version, user_id, attempts FROM mail
            WHERE status = 'pending' AND next_attempt_at <= CURRENT_TIMESTAMP(3) AND created_at <= CURRENT_TIMESTAMP(3) - INTERVAL @owedFor SECOND
            ORDER BY next_attempt_at LIMIT {perPass} FOR UPDATE SKIP LOCKED
            """, connection, transaction))
        {
            read.Parameters.AddWithValue("@owedFor", (int)owedFor.TotalSeconds);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                mails.Add(new OwedMail(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), reader.GetInt32(4)));
            }
        }
        if (mails.Count == 0)
        {
            return [];
        }

        await using var lease = new MySqlCommand { Connection = connection, Transaction = transaction };
        var keys = KeyList(lease, mails);
        lease.CommandText = $"""
            UPDATE mail SET attempts = attempts + 1, next_attempt_at = CURRENT_TIMESTAMP(3) + INTERVAL @lease SECOND
            WHERE (kind, subject_id, subject_version, user_id) IN ({keys});
            SELECT user_id, email FROM `user` WHERE user_id IN ({string.Join(',', mails.Select((_, i) => $"@u{i}"))}) AND email IS NOT NULL;
            """;
        lease.Parameters.AddWithValue("@lease", (int)options.Value.Lease.TotalSeconds);
        var addresses = new Dictionary<string, string>(StringComparer.Ordinal);
        // The reader starts at the SELECT (the UPDATE returns no rows).
        await using (var reader = await lease.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                addresses[reader.GetString(0)] = reader.GetString(1);
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return mails.Select(m => (m, addresses.GetValueOrDefault(m.UserId))).ToList();
    }

    private static string KeyList(MySqlCommand command, IReadOnlyList<OwedMail> mails)
    {
        var keys = new StringBuilder();
        for (var i = 0; i < mails.Count; i++)
        {
            keys.Append(i == 0 ? "" : ",").Append($"(@k{i}, @s{i}, @v{i}, @u{i})");
            command.Parameters.AddWithValue($"@k{i}", mails[i].Kind);
            command.Parameters.AddWithValue($"@s{i}", mails[i].SubjectId);
            command.Parameters.AddWithValue($"@v{i}", mails[i].Version);
            command.Parameters.AddWithValue($"@u{i}", mails[i].UserId);
        }
        return keys.ToString();
    }

    // Not cancellable: a mail the server accepted is marked sent even while the host stops.
    private async Task MarkDoneAsync(IReadOnlyList<(OwedMail Mail, string Status)> done)
    {
        if (done.Count == 0)
        {
            return;
        }
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        foreach (var outcome in done.GroupBy(d => d.Status))
        {
            await using var mark = new MySqlCommand { Connection = connection };
            mark.CommandText = $"""
                UPDATE mail SET status = @status, done_at = CURRENT_TIMESTAMP(3)
                WHERE (kind, subject_id, subject_version, user_id) IN ({KeyList(mark, outcome.Select(d => d.Mail).ToList())})
                """;
            mark.Parameters.AddWithValue("@status", outcome.Key);
            await mark.ExecuteNonQueryAsync(CancellationToken.None);
            _outcomes.Add(outcome.Count(), new KeyValuePair<string, object?>("outcome", outcome.Key));
        }
    }

    private async Task PostponeAsync(OwedMail mail)
    {
        var attempts = mail.Attempts + 1;
        if (attempts >= options.Value.MaxAttempts)
        {
            logger.LogError("Mail {Kind} about {Subject} was refused {Attempts} times; given up", mail.Kind, mail.SubjectId, attempts);
            await MarkDoneAsync([(mail, "failed")]);
            return;
        }
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        await using var postpone = new MySqlCommand { Connection = connection };
        postpone.CommandText = $"""
            UPDATE mail SET next_attempt_at = CURRENT_TIMESTAMP(3) + INTERVAL @pause SECOND
            WHERE (kind, subject_id, subject_version, user_id) IN ({KeyList(postpone, [mail])})
            """;
        postpone.Parameters.AddWithValue("@pause", (int)Math.Min(Math.Pow(2, attempts), MaxPause.TotalSeconds));
        await postpone.ExecuteNonQueryAsync(CancellationToken.None);
        _outcomes.Add(1, new KeyValuePair<string, object?>("outcome", "retry"));
    }
}
