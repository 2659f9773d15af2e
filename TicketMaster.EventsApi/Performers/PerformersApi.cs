using Microsoft.AspNetCore.Http.HttpResults;
using MySqlConnector;
using TicketMaster.Data;
using TicketMaster.ServiceDefaults;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.ServiceDefaults.Http;
using TicketMaster.Messaging;
using TicketMaster.Search;

namespace TicketMaster.EventsApi.Performers;

public sealed record CreatePerformerRequest(string? Name);

public static class PerformersApi
{
    public static RouteGroupBuilder MapPerformersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/performers").WithTags("Performers");
        api.MapPost("/", CreatePerformer).RequireAuthorization(Roles.Organizer).RequireRateLimit(RateLimitKind.CatalogWrites);
        return api;
    }

    public static async Task<Results<Created<PerformerSummary>, ValidationProblem>> CreatePerformer(
        CreatePerformerRequest request, MySqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors().RequireText("name", request.Name, 200);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var performer = new PerformerSummary(Ids.New(), request.Name!.Trim());
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new MySqlCommand("INSERT INTO performer (performer_id, name) VALUES (@id, @name)", connection, transaction))
        {
            insert.Parameters.AddWithValue("@id", performer.PerformerId);
            insert.Parameters.AddWithValue("@name", performer.Name);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        // Like a venue, a performer reaches the index inside the events that name it.
        await transaction.CommitAsync(cancellationToken);

        return TypedResults.Created($"/v1/performers/{performer.PerformerId}", performer);
    }
}
