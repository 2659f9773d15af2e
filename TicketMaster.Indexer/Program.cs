using TicketMaster.Indexer.Catalog;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// The Indexer is a worker; HTTP serves its health endpoints (Aspire, Kubernetes probes) and its counters.
app.MapDefaultEndpoints();
app.MapGet("/indexer/stats", (IndexerStats stats) => stats.Snapshot());

app.Run();
