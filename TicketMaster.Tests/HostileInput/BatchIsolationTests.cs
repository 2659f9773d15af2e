using System.Text.Json;
using MySqlConnector;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Payments;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.ServiceDefaults;
using TicketMaster.Tests.BookingApi.WriteQueue;
using TicketMaster.Tests.BookingApi;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.HostileInput;

// Concurrent requests share batches (one multi-row statement, one queue message); a batch that fails because of one
// item is written again item by item, so only that item fails.
[Collection(AppHostCollection.Name)]
public sealed class BatchIsolationTests(AppHostFixture fixture)
{
    [Fact]
    public async Task A_bad_payment_row_fails_alone_and_the_rows_batched_with_it_are_written()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 1);
        await using var writes = await DirectWrites.CreateAsync(fixture);
        var expires = DateTimeOffset.UtcNow.AddMinutes(5);
        Task<PaymentAttempt> Begin(string reservationId, string method) =>
            writes.Ledger.BeginAsync(reservationId, "batch-mate", sale.EventId, 100, "stripe", method, expires, default);

        // One of them is too long for payment.method (the API refuses it; the ledger must still not let it sink the rest).
        var good = Enumerable.Range(0, 20).Select(i => Reservation.NewId(sale.EventId, "batch-mate", null)).ToList();
        var bad = Reservation.NewId(sale.EventId, "batch-mate", null);
        var begins = good.Select(r => Begin(r, "pm_card_visa")).Append(Begin(bad, new string('m', 300))).ToList();
        await Task.WhenAll(begins.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));

        Assert.All(begins.Take(good.Count), t => Assert.True(t.IsCompletedSuccessfully, t.Exception?.Message));
        Assert.IsType<MySqlException>(begins[^1].Exception?.InnerException);
        await using var db = await writes.DataSource.OpenConnectionAsync();
        await using var count = new MySqlCommand($"SELECT COUNT(*) FROM payment WHERE reservation_id IN ({string.Join(",", good.Select(r => $"'{r}'"))})", db);
        Assert.Equal(good.Count, Convert.ToInt32(await count.ExecuteScalarAsync()));
    }

    [Fact]
    public async Task A_queued_write_the_database_refuses_fails_alone_and_its_message_mates_book()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 2);
        await using var writes = await DirectWrites.CreateAsync(fixture);
        var gateway = new StripePaymentGateway(new StripeOptions { ApiKey = "sk_test_local_fake", ApiBase = fixture.Stripe.BaseAddress });
        async Task<(BookingWrite Write, PaymentAttempt Attempt)> PaidAsync(string user, long seat, bool poisoned)
        {
            // The poisoned one's hold lapses at once, so the reconciler may void its authorization right after the test.
            var reservation = new Reservation(Reservation.NewId(sale.EventId, user, null), sale.EventId, user, [seat],
                DateTimeOffset.UtcNow.Add(poisoned ? TimeSpan.Zero : TimeSpan.FromMinutes(5)));
            var attempt = await writes.Ledger.BeginAsync(reservation.ReservationId, user, sale.EventId, 2500, gateway.Name, "pm_card_visa", reservation.ExpiresAt, default);
            var authorized = (AuthorizationResult.Authorized)await gateway.AuthorizeAsync(
                new PaymentRequest(attempt.IdempotencyKey, 2500, "usd", "pm_card_visa", $"TicketMaster {reservation.ReservationId}"), default);
            // The poisoned one names a provider reference longer than its column: MySQL refuses the statement.
            var reference = poisoned ? authorized.ProviderRef + new string('x', 150) : authorized.ProviderRef;
            return (new BookingWrite(reservation, 2500, reference, attempt.Attempt), attempt);
        }
        var (good, goodAttempt) = await PaidAsync("message-mate", sale.SeatIds[0], poisoned: false);
        var (poisoned, _) = await PaidAsync("message-poison", sale.SeatIds[1], poisoned: true);

        var results = await SendAsync([good, poisoned]);

        Assert.Equal([WriteOutcome.Booked, WriteOutcome.Failed], results.Select(r => r.Outcome));
        await gateway.CaptureAsync(good.PaymentRef, goodAttempt.IdempotencyKey + ":capture", default);
        await writes.Ledger.MarkCapturedAsync(good.Reservation.ReservationId);
        await sale.AssertSettledAsync(); // the poisoned write's authorization is voided once its hold lapses
    }

    // One message on booking.writes, as a BookingApi replica sends its concurrent confirms, and the writer's reply.
    private async Task<WriteResult[]> SendAsync(BookingWrite[] batch)
    {
        await using var connection = await fixture.ConnectRabbitMqAsync();
        await using var channel = await connection.CreateChannelAsync();
        var replyQueue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        var reply = new TaskCompletionSource<WriteResult[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            reply.TrySetResult(JsonSerializer.Deserialize<WriteResult[]>(delivery.Body.Span, TicketMasterJson.Options)!);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(replyQueue, autoAck: true, consumer);
        await channel.BasicPublishAsync("", "booking.writes", mandatory: false,
            new BasicProperties { CorrelationId = Guid.NewGuid().ToString("N"), ReplyTo = replyQueue, ContentType = "application/json" },
            JsonSerializer.SerializeToUtf8Bytes(batch, TicketMasterJson.Options));
        return await reply.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
