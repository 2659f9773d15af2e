using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace TicketMaster.Tests.Web;

// One Chromium for the whole run (Debian's, driven by Playwright's bundled driver: nothing is downloaded), started
// by the first browser test; each test gets a context of its own (cookies, storage).
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private readonly SemaphoreSlim _starting = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>Each page's screenshot, kept with the test results.</summary>
    public static string ScreenshotDir { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("TICKETMASTER_TEST_LOGS") is { Length: > 0 } logs ? Path.GetDirectoryName(logs)! : Path.GetTempPath(),
        "screenshots");

    /// <summary>A phone's screen (CSS pixels of a common handset).</summary>
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    public async Task<IBrowserContext> NewContextAsync(string baseUrl, ViewportSize? viewport = null)
    {
        await _starting.WaitAsync();
        try
        {
            _playwright ??= await Playwright.CreateAsync();
            _browser ??= await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
        }
        finally
        {
            _starting.Release();
        }
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(15_000);
        return context;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}

public static class PageChecks
{
    /// <summary>
    /// No serious or critical axe violation on the page as it is now, and its screenshot kept under
    /// <paramref name="name"/> for the results.
    /// </summary>
    public static async Task AssertAccessibleAsync(this IPage page, string name)
    {
        Directory.CreateDirectory(BrowserFixture.ScreenshotDir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, $"{name}.png"), FullPage = true });
        var results = await page.RunAxe();
        var blocking = results.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} — {string.Join("; ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
        Assert.True(blocking.Count == 0, $"{name} ({page.Url}) has accessibility violations:\n{string.Join("\n", blocking)}");
    }

    /// <summary>Nothing wider than the screen: the page reads without sideways scrolling.</summary>
    public static async Task AssertFitsTheScreenAsync(this IPage page) =>
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"),
            $"{page.Url} scrolls sideways at {page.ViewportSize?.Width} px");

    /// <summary>Signs in through the site's dev sign-in page, as a person with these roles.</summary>
    public static async Task SignInAsync(this IPage page, string userId, params string[] roles)
    {
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("User id").FillAsync(userId);
        foreach (var role in roles)
        {
            await page.GetByLabel(role == "organizer" ? "Organizer" : "Door staff").CheckAsync();
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/sign-in"));
    }
}
