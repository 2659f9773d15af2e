using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
        var indexPath = LuceneIndexPath(builder.Configuration);
        builder.Services.AddSingleton<IEventSearch>(_ => new LuceneEventSearch(indexPath));
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
        var indexPath = LuceneIndexPath(builder.Configuration);
        builder.Services.AddSingleton<IEventIndexWriter>(_ => new LuceneEventIndexWriter(indexPath));
        return builder;
    }

    private static string LuceneIndexPath(IConfiguration configuration) =>
        configuration["Search:IndexPath"]
        ?? throw new InvalidOperationException("Search:IndexPath is required without a `search` connection string (the AppHost sets Search__IndexPath).");
}
