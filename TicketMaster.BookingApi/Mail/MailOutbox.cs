using MySqlConnector;

namespace TicketMaster.BookingApi.Mail;

// Mail is owed in the transaction of the change it tells of (the mail table, 0004_mail.sql); MailSender sends it.
public static class MailOutbox
{
    /// <summary>Owes <paramref name="userId"/> a mail about this subject, unless it is owed (or was sent) already.</summary>
    public static async Task EnqueueAsync(MySqlTransaction transaction, string kind, long subjectId, long version, string userId,
        CancellationToken cancellationToken)
    {
        await using var insert = new MySqlCommand(
            "INSERT IGNORE INTO mail (kind, subject_id, subject_version, user_id) VALUES (@kind, @subject, @version, @user)",
            transaction.Connection, transaction);
        insert.Parameters.AddWithValue("@kind", kind);
        insert.Parameters.AddWithValue("@subject", subjectId);
        insert.Parameters.AddWithValue("@version", version);
        insert.Parameters.AddWithValue("@user", userId);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Keeps the address the user's token carries, for the mail they are owed later (a received ticket, a new date).
    /// </summary>
    public static async Task RememberAddressAsync(MySqlConnection connection, string userId, string email, CancellationToken cancellationToken)
    {
        await using var upsert = new MySqlCommand("""
            INSERT INTO `user` (user_id, email) VALUES (@user, @email)
            ON DUPLICATE KEY UPDATE email = @email
            """, connection);
        upsert.Parameters.AddWithValue("@user", userId);
        upsert.Parameters.AddWithValue("@email", email);
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }
}
