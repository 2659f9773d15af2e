using Microsoft.Extensions.Configuration;
using TicketMaster.AppHost;
using TicketMaster.AppHost.Servers;

var builder = DistributedApplication.CreateBuilder(args);

// Run mode and tests start Debian's servers as executables (no container engine here); publish mode
// describes the same names as containers. A missing package stops us here with one line.
LocalServers? local;
try
{
    local = LocalServers.ForRunMode(builder);
}
catch (MissingServerBinaryException missing)
{
    Console.Error.WriteLine(missing.Message);
    return 1;
}

// Each service owns its tables in a database of its own, reached as its own MySQL user (docs/DESIGN.md §2).
var mysql = builder.AddMySqlServer("mysql", local, new ServiceDatabase("catalog", "eventsapi"), new ServiceDatabase("booking", "bookingapi"));
var redis = builder.AddRedisServer("redis", local);
var rabbitmq = builder.AddRabbitMqServer("rabbitmq", local);
var search = builder.AddSearchServer("search", local);
var mail = builder.AddMailServer("mail", local);

// Both APIs trust JWTs signed with this key; locally EventsApi also mints dev tokens with it.
var jwtSigningKey = ParameterResourceBuilderExtensions.CreateGeneratedParameter(
    builder, "jwt-signing-key", secret: true, new GenerateParameterDefault { MinLength = 48, Special = false });
var devTokens = local is not null;
// Deployed, people sign in with an OpenID Connect provider; the APIs accept its tokens alongside their own.
var identityProvider = devTokens ? null : IdentityProvider.Add(builder);
// Ticket QR codes and waiting-room passes each have their own key (never derived from the JWT key).
var ticketCodeKey = ParameterResourceBuilderExtensions.CreateGeneratedParameter(
    builder, "ticket-code-key", secret: true, new GenerateParameterDefault { MinLength = 48, Special = false });
var queuePassKey = ParameterResourceBuilderExtensions.CreateGeneratedParameter(
    builder, "queue-pass-key", secret: true, new GenerateParameterDefault { MinLength = 48, Special = false });

var eventsApi = builder.AddProject<Projects.TicketMaster_EventsApi>("eventsapi")
    .WithReplicas(builder.Configuration.GetValue("TicketMaster:EventsApiReplicas", 1))
    .WithReference(mysql.Databases["catalog"]).WaitFor(mysql.Server)
    .WithReference(redis).WaitFor(redis)
    .WithReference(rabbitmq).WaitFor(rabbitmq)
    .WithSearch(search, local)
    .WithAuth(jwtSigningKey, devTokens)
    .WithIdentityProvider(identityProvider)
    .WithSettings(builder.Configuration, "RateLimits", "Retention")
    .WithBenchEndpoints(builder.Configuration)
    .WithTelemetrySettings(builder.Configuration)
    .WithHttpHealthCheck("/health");

var bookingApi = builder.AddProject<Projects.TicketMaster_BookingApi>("bookingapi")
    .WithReplicas(builder.Configuration.GetValue("TicketMaster:BookingApiReplicas", 1))
    .WithReference(mysql.Databases["booking"]).WaitFor(mysql.Server)
    // Event listings come from the catalog's API (the sale never reads the catalog's tables).
    .WithReference(eventsApi)
    .WithReference(redis).WaitFor(redis)
    .WithReference(rabbitmq).WaitFor(rabbitmq)
    // Fans' mail leaves from the outbox whenever the server takes it: BookingApi does not wait for it to start.
    .WithReference(mail)
    .WithAuth(jwtSigningKey, devTokens)
    .WithIdentityProvider(identityProvider)
    .WithSigningKeys(ticketCodeKey, queuePassKey)
    .WithPayments(builder, local)
    .WithSettings(builder.Configuration, "Booking", "Payments", "RateLimits", "Retention", "Mail")
    .WithBenchEndpoints(builder.Configuration)
    .WithTelemetrySettings(builder.Configuration)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.TicketMaster_Indexer>("indexer")
    .WithReference(rabbitmq).WaitFor(rabbitmq)
    .WithReference(eventsApi).WaitFor(eventsApi)
    .WithAuth(jwtSigningKey, devTokens: false)
    .WithSearch(search, local)
    .WithTelemetrySettings(builder.Configuration)
    .WithHttpHealthCheck("/health");

// The site for fans, organizers and door staff: pages, and a same-origin proxy to both APIs.
var web = builder.AddProject<Projects.TicketMaster_Web>("web")
    .WithReference(eventsApi).WaitFor(eventsApi)
    .WithReference(bookingApi).WaitFor(bookingApi)
    .WithSignIn(identityProvider, builder)
    .WithDemoCatalog(builder.Configuration, local)
    .WithSettings(builder.Configuration, "Payments")
    .WithTelemetrySettings(builder.Configuration)
    .WithHttpHealthCheck("/health");

builder.PrintAddressesWhenReady(web, eventsApi, bookingApi);

builder.Build().Run();
return 0;
