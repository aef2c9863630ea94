using System.Text.Json.Nodes;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Recorder.Api.Tests.Support;
using Recorder.TestSupport;

namespace Recorder.Api.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser: one store, the service on Kestrel (a real socket, built as
/// <c>recorder serve</c> builds it) and a browser from Debian driven by Playwright, shared by a test
/// class. Every browser test class runs twice, in <see cref="ChromiumSite"/> and <see cref="FirefoxSite"/>;
/// tests skip, saying why, where the browser is not installed (.ci/run installs both).
/// </summary>
public abstract class DashboardSite : IAsyncLifetime
{
    /// <summary>
    /// The browser tests' collection: its classes run one after another (each class still has its own
    /// site), so several browsers, services and imports do not compete for this machine's two cores.
    /// </summary>
    public const string Collection = "browser";

    private IPlaywright? _playwright;

    public ServiceTestStore Store { get; private set; } = null!;

    public KestrelService Service { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseAddress => Service.BaseAddress;

    /// <summary>The browser's name as screenshots and messages give it.</summary>
    public abstract string BrowserName { get; }

    /// <summary>Debian's executable of the browser (Playwright's own browser downloads are never used).</summary>
    public abstract string ExecutablePath { get; }

    public bool Available => File.Exists(ExecutablePath);

    public string SkipReason => $"browser tests in {BrowserName} need {ExecutablePath} ({InstallHint}; .ci/run installs it)";

    /// <summary>How to install the browser on Debian.</summary>
    protected abstract string InstallHint { get; }

    /// <summary>Starts the browser headless.</summary>
    protected abstract Task<IBrowser> LaunchAsync(IPlaywright playwright);

    public async Task InitializeAsync()
    {
        Store = ServiceTestStore.Create(sinks: new JsonObject
        {
            ["drop"] = new JsonObject { ["type"] = "folder", ["directory"] = "drop", ["description"] = "Each chunk dropped into a folder" },
        });
        Service = await KestrelService.StartAsync(Store.Options());
        if (!Available)
        {
            return;
        }

        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchAsync(_playwright);
    }

    /// <summary>A fresh browser context (its own cookies) and page, signed in as <paramref name="user"/> through the sign-in form (null: not signed in).</summary>
    public async Task<BrowserPage> OpenAsync(string? user, string path = "/ui/", ViewportSize? viewport = null)
    {
        Skip.IfNot(Available, SkipReason);
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString().TrimEnd('/'),
            ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 800 },
            AcceptDownloads = true,
        });
        var page = await context.NewPageAsync();

        // A loaded machine (the rest of the suite runs beside these tests) can take longer than Playwright's 30 s default.
        page.SetDefaultTimeout(90_000);
        page.SetDefaultNavigationTimeout(90_000);
        var opened = new BrowserPage(context, page, BrowserName);
        if (user is not null)
        {
            await page.GotoAsync("/ui/signin?next=" + Uri.EscapeDataString(path));
            await page.GetByLabel("Token").FillAsync(Store.Tokens[user]);
            // The waiter is in place before the click: a fast local answer can navigate before a wait started afterwards would listen.
            await BrowserPage.NavigationAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(), url => new Uri(url).AbsolutePath == path.Split('?')[0]);
        }
        else
        {
            await page.GotoAsync(path);
        }

        return opened;
    }

    public async Task DisposeAsync()
    {
        if (_playwright is not null)
        {
            await Browser.DisposeAsync();
            _playwright.Dispose();
        }

        await Service.DisposeAsync();
        Store.Dispose();
    }
}

/// <summary>The dashboard in Debian's chromium, driven over the Chrome DevTools protocol.</summary>
public sealed class ChromiumSite : DashboardSite
{
    public override string BrowserName => "chromium";

    public override string ExecutablePath => "/usr/bin/chromium";

    protected override string InstallHint => "apt-get install chromium";

    protected override Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Headless = true });
}

/// <summary>
/// The dashboard in Debian's Firefox ESR, driven over WebDriver BiDi (Playwright's <c>moz-firefox</c>
/// channel: a stock Firefox, not Playwright's patched build, which this machine cannot download).
/// </summary>
public sealed class FirefoxSite : DashboardSite
{
    public override string BrowserName => "firefox";

    public override string ExecutablePath => "/usr/bin/firefox-esr";

    protected override string InstallHint => "apt-get install firefox-esr";

    protected override Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Firefox.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Channel = "moz-firefox", Headless = true });
}

/// <summary>One page in its own browser context, collecting the console's errors and the page's failures.</summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly List<string> _errors = [];

    private readonly string _browserName;

    public BrowserPage(IBrowserContext context, IPage page, string browserName)
    {
        _browserName = browserName;
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_errors)
                {
                    _errors.Add($"console: {message.Text} (at {message.Location})");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_errors)
            {
                _errors.Add($"page error: {error}");
            }
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>
    /// The CSP report Firefox logs for Playwright's own screenshot step, which adds and removes a
    /// <c>&lt;style&gt;body {}&lt;/style&gt;</c> to settle animations (screenshotter's
    /// <c>shouldToggleStyleSheetToSyncAnimations</c>): the SHA-256 of exactly <c>body {}</c>, a style
    /// the dashboard never has. Any other refused inline style is still an error.
    /// </summary>
    private const string PlaywrightScreenshotStyle = "sha256-YjaKGiklmzC6wjXA513HAMmzus8VE61XCOT+SmwNZWA=";

    /// <summary>Console errors and uncaught exceptions so far (a refused request the test made on purpose is logged too: pass what to ignore).</summary>
    public IReadOnlyList<string> Errors(params string[] ignoring)
    {
        lock (_errors)
        {
            return _errors
                .Where(e => !ignoring.Any(i => e.Contains(i, StringComparison.Ordinal)))
                .Where(e => !e.Contains(PlaywrightScreenshotStyle, StringComparison.Ordinal))
                .ToList();
        }
    }

    /// <summary>Fails on any axe violation (WCAG 2.2 A and AA rules and axe's best practices) of the page as it is now.</summary>
    public async Task AssertAccessibleAsync()
    {
        var results = await Page.RunAxe();
        var violations = results.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help}: {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
        Assert.True(violations.Count == 0, $"axe on {Page.Url}:\n" + string.Join("\n", violations));
    }

    /// <summary>Fails if the console logged an error or a script threw.</summary>
    public void AssertNoConsoleErrors(params string[] ignoring)
    {
        var errors = Errors(ignoring);
        Assert.True(errors.Count == 0, $"on {Page.Url}:\n" + string.Join("\n", errors));
    }

    /// <summary>
    /// Saves a full-page screenshot as <c>docs/dashboard/NAME.png</c> when RECORDER_SCREENSHOTS=docs
    /// (how docs/dashboard.md's pictures are taken, in chromium), else as <c>BROWSER-NAME.png</c> in the
    /// test's output directory. The caret is left as it is: hiding it makes Playwright add an inline
    /// style, which the pages' Content-Security-Policy rightly refuses (Firefox reports that as an error).
    /// </summary>
    public async Task ScreenshotAsync(string name)
    {
        var docs = Environment.GetEnvironmentVariable("RECORDER_SCREENSHOTS") == "docs" && _browserName == "chromium";
        var path = docs
            ? Path.Combine(ExternalTools.RepositoryRoot, "docs", "dashboard", name + ".png")
            : Path.Combine(AppContext.BaseDirectory, "screenshots", _browserName + "-" + name + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Caret = ScreenshotCaret.Initial });
    }

    /// <summary>
    /// Runs <paramref name="action"/> and waits until the page is loaded at a URL <paramref name="url"/>
    /// accepts. The wait listens before the action: a fast local answer can navigate before a wait
    /// started afterwards would listen, and that wait then never ends.
    /// </summary>
    public static async Task NavigationAsync(IPage page, Func<Task> action, Func<string, bool> url)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(action);
        var navigated = page.WaitForURLAsync(url);
        await action();
        await navigated;
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}

/// <summary>The browser tests' collection (see <see cref="DashboardSite.Collection"/>).</summary>
[CollectionDefinition(DashboardSite.Collection)]
public sealed class BrowserCollection;
