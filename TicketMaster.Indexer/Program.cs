var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// The Indexer is a worker; HTTP serves only its health endpoints (for Aspire and Kubernetes probes).
app.MapDefaultEndpoints();

app.Run();
