using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using TicketMaster.ServiceDefaults;
using TicketMaster.ServiceDefaults.Auth;

namespace TicketMaster.Web.Account;

// Backend for frontend: the browser holds only an HttpOnly session cookie; the APIs' bearer token stays in that
// (encrypted) cookie's properties and the proxy attaches it to each /v1 call. Sign-in is OpenID Connect in
// deployments (Auth:Oidc:*), a form minting dev tokens locally (Development with Auth:DevTokens only).
public static class Sessions
{
    public const string OrganizerPolicy = "organizer";
    public const string StaffPolicy = "staff";
    public const string OidcScheme = OpenIdConnectDefaults.AuthenticationScheme;
    private const string AccessToken = "access_token";

    public static bool DevSignIn(IConfiguration configuration, IHostEnvironment environment) =>
        environment.IsDevelopment() && configuration.GetValue("Auth:DevTokens", false);

    public static bool Oidc(IConfiguration configuration) => configuration["Auth:Oidc:Authority"] is { Length: > 0 };

    public static void AddSignIn(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (configuration.GetValue("Auth:DevTokens", false) && !builder.Environment.IsDevelopment())
        {
            throw new StartupRefusedException(
                $"Auth:DevTokens=true is refused in the '{builder.Environment.EnvironmentName}' environment: the dev sign-in lets anyone act as anyone.");
        }
        if (!builder.Environment.IsDevelopment()
            && !(Oidc(configuration) && configuration["Auth:Oidc:ClientId"] is { Length: > 0 } && configuration["Auth:Oidc:ClientSecret"] is { Length: > 0 }))
        {
            throw new StartupRefusedException(
                "Auth:Oidc:Authority, ClientId and ClientSecret must be set outside Development: nobody could sign in.");
        }

        var authentication = builder.Services.AddAuthentication(options =>
        {
            options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            options.DefaultChallengeScheme = Oidc(configuration) ? OidcScheme : CookieAuthenticationDefaults.AuthenticationScheme;
        });
        authentication.AddCookie(options =>
        {
            options.Cookie.Name = "tm.session";
            options.Cookie.HttpOnly = true;
            // Lax: a link from elsewhere arrives signed in; a cross-site form or fetch carries no session.
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.LoginPath = "/sign-in";
            options.AccessDeniedPath = "/forbidden";
            // The session ends with its token: the APIs would refuse it after that anyway.
            options.ExpireTimeSpan = TimeSpan.FromHours(12);
            options.SlidingExpiration = false;
            options.Events.OnRedirectToLogin = context => ApiAware(context, StatusCodes.Status401Unauthorized);
            options.Events.OnRedirectToAccessDenied = context => ApiAware(context, StatusCodes.Status403Forbidden);
        });
        if (Oidc(configuration))
        {
            authentication.AddOpenIdConnect(OidcScheme, options =>
            {
                options.Authority = configuration["Auth:Oidc:Authority"];
                options.ClientId = configuration["Auth:Oidc:ClientId"];
                options.ClientSecret = configuration["Auth:Oidc:ClientSecret"];
                options.ResponseType = "code";
                options.UsePkce = true;
                options.SaveTokens = true;
                options.MapInboundClaims = false;
                options.GetClaimsFromUserInfoEndpoint = true;
                options.TokenValidationParameters.NameClaimType = "sub";
                // The same claim the APIs read roles from (Auth:Oidc:RoleClaim), so the pages show what the APIs allow.
                options.TokenValidationParameters.RoleClaimType = configuration["Auth:Oidc:RoleClaim"] is { Length: > 0 } role ? role : "role";
                options.Scope.Clear();
                foreach (var scope in (configuration["Auth:Oidc:Scope"] ?? "openid profile email").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    options.Scope.Add(scope);
                }
            });
        }
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(OrganizerPolicy, policy => policy.RequireRole(Roles.Organizer, Roles.Admin))
            .AddPolicy(StaffPolicy, policy => policy.RequireRole(Roles.Staff, Roles.Admin));
    }

    /// <summary>The signed-in person's token for the APIs, or null.</summary>
    public static Task<string?> AccessTokenAsync(this HttpContext context) => context.GetTokenAsync(AccessToken);

    /// <summary>Signs in with a token the APIs trust: its claims become the session's, the token goes with them.</summary>
    public static Task SignInWithTokenAsync(this HttpContext context, string userId, string? email, IEnumerable<string> roles, string token,
        TimeSpan lifetime)
    {
        var claims = new List<Claim> { new("sub", userId) };
        if (email is not null)
        {
            claims.Add(new Claim("email", email));
        }
        claims.AddRange(roles.Select(role => new Claim("role", role)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme, "sub", "role"));
        var properties = new AuthenticationProperties { ExpiresUtc = DateTimeOffset.UtcNow + lifetime, IsPersistent = false };
        properties.StoreTokens([new AuthenticationToken { Name = AccessToken, Value = token }]);
        return context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal, properties);
    }

    public static string? UserId(this ClaimsPrincipal user) => user.FindFirst("sub")?.Value;

    // The proxied API and the browser's scripts want a status, not a redirect to a sign-in page.
    private static Task ApiAware(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/v1"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
