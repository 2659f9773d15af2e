using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TicketMaster.Search;

namespace Microsoft.Extensions.Hosting;

public static class SearchExtensions
{
    /// <summary>
    /// IEventSearch: Elasticsearch when a `search` connection string is present (DESIGN §4), else the embedded
    /// Lucene.Net index at Search:IndexPath that the Indexer writes.
    /// </summary>
    public static IHostApplicationBuilder AddEventSearch(this IHostApplicationBuilder builder)
    {
        if (ElasticsearchEventIndex.IsConfigured(builder.Configuration))
        {
            builder.Services.AddSingleton<IEventSearch>(_ => ElasticsearchEventIndex.Create(builder.Configuration));
            return builder;
        }
        builder.AddLuceneIndexOptions();
        builder.Services.AddSingleton<IEventSearch>(sp => new LuceneEventSearch(sp.GetRequiredService<IOptions<LuceneIndexOptions>>().Value.IndexPath));
        return builder;
    }

    /// <summary>The Indexer's writer, for whichever backend AddEventSearch chose.</summary>
    public static IHostApplicationBuilder AddEventIndexWriter(this IHostApplicationBuilder builder)
    {
        if (ElasticsearchEventIndex.IsConfigured(builder.Configuration))
        {
            builder.Services.AddSingleton<IEventIndexWriter>(_ => ElasticsearchEventIndex.Create(builder.Configuration));
            return builder;
        }
        builder.AddLuceneIndexOptions();
        builder.Services.AddSingleton<IEventIndexWriter>(sp => new LuceneEventIndexWriter(sp.GetRequiredService<IOptions<LuceneIndexOptions>>().Value.IndexPath));
        return builder;
    }

    private static void AddLuceneIndexOptions(this IHostApplicationBuilder builder) =>
        builder.Services.AddOptions<LuceneIndexOptions>().BindConfiguration("Search")
            .Validate(o => !string.IsNullOrWhiteSpace(o.IndexPath),
                "Search:IndexPath is required without a `search` connection string (the AppHost sets Search__IndexPath).")
            .ValidateOnStart();
}

/// <summary>Search:* for the embedded index: the directory the Indexer writes and EventsApi reads.</summary>
public sealed class LuceneIndexOptions
{
    public string IndexPath { get; set; } = "";
}
