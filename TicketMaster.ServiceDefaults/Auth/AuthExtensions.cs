using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using TicketMaster.ServiceDefaults;
using TicketMaster.ServiceDefaults.Auth;

namespace Microsoft.Extensions.Hosting;

// Both APIs trust the same JWTs (DESIGN §6): sub = user id, role claims organizer / staff / admin, HMAC-SHA256 with the
// key the AppHost (or a Kubernetes Secret) puts in Auth:SigningKey. Reads stay anonymous; endpoints opt in.
public static class AuthExtensions
{
    /// <summary>Tokens an OpenID Connect provider issued (Auth:Oidc:Authority), when one is configured.</summary>
    public const string ProviderScheme = "IdentityProvider";

    private const string EitherScheme = "TicketMasterOrIdentityProvider";

    // Reads a token's issuer only (no validation); one for every request, as it keeps no state.
    private static readonly Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler TokenReader = new();

    public static IHostApplicationBuilder AddTicketMasterAuthentication(this IHostApplicationBuilder builder)
    {
        var signingKey = builder.Configuration["Auth:SigningKey"];
        if (string.IsNullOrEmpty(signingKey) || Encoding.UTF8.GetByteCount(signingKey) < 32)
        {
            throw new InvalidOperationException("Auth:SigningKey must be set to at least 32 bytes (the AppHost sets Auth__SigningKey).");
        }

        if (builder.Configuration.GetValue("Auth:DevTokens", false) && !builder.Environment.IsDevelopment())
        {
            throw new StartupRefusedException(
                $"Auth:DevTokens=true is refused in the '{builder.Environment.EnvironmentName}' environment: dev tokens let anyone act as anyone, so they exist only in Development.");
        }

        var tokens = new TokenSettings(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)));
        builder.Services.AddSingleton(tokens);

        var authority = builder.Configuration["Auth:Oidc:Authority"];
        var authentication = builder.Services.AddAuthentication(string.IsNullOrEmpty(authority) ? JwtBearerDefaults.AuthenticationScheme : EitherScheme)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                // Nothing reads the raw token back from the authentication properties: don't copy it there per request.
                options.SaveToken = false;
                options.TokenValidationParameters = tokens.ValidationParameters;
                options.Events = SubjectCheck();
            });

        // Signed in through the site with OpenID Connect, a person's token is the identity provider's (signed with its
        // keys, published at its authority): accepted alongside our own, told apart by the issuer before validation.
        if (!string.IsNullOrEmpty(authority))
        {
            authentication.AddJwtBearer(ProviderScheme, options =>
            {
                options.Authority = authority;
                options.Audience = builder.Configuration["Auth:Oidc:Audience"] is { Length: > 0 } audience ? audience : builder.Configuration["Auth:Oidc:ClientId"];
                options.RequireHttpsMetadata = !builder.Environment.IsDevelopment();
                options.MapInboundClaims = false;
                options.SaveToken = false;
                options.TokenValidationParameters.NameClaimType = "sub";
                options.TokenValidationParameters.RoleClaimType = builder.Configuration["Auth:Oidc:RoleClaim"] is { Length: > 0 } role ? role : "role";
                options.Events = SubjectCheck();
            });
            authentication.AddPolicyScheme(EitherScheme, "TicketMaster's or the identity provider's token", options =>
                options.ForwardDefaultSelector = context => IssuedByUs(context.Request) ? JwtBearerDefaults.AuthenticationScheme : ProviderScheme);
        }

        builder.Services.AddAuthorizationBuilder()
            // An admin may do whatever an organizer or door staff may; which event is theirs is checked per request.
            .AddPolicy(Roles.Organizer, policy => policy.RequireRole(Roles.Organizer, Roles.Admin))
            .AddPolicy(Roles.Staff, policy => policy.RequireRole(Roles.Staff, Roles.Admin))
            .AddPolicy(Roles.Admin, policy => policy.RequireRole(Roles.Admin))
            .AddPolicy(Roles.SearchIndexer, policy => policy.RequireRole(Roles.SearchIndexer, Roles.Admin))
            .AddPolicy(Roles.BookingService, policy => policy.RequireRole(Roles.BookingService, Roles.Admin));

        return builder;
    }

    // A signed token is still refused when its subject could not be stored or compared as a user id.
    private static JwtBearerEvents SubjectCheck() => new()
    {
        OnTokenValidated = context =>
        {
            if (!UserIds.IsAcceptable(context.Principal?.FindFirst("sub")?.Value))
            {
                context.Fail($"The token's sub must be 1 to {UserIds.MaxLength} characters.");
            }
            return Task.CompletedTask;
        },
    };

    // Only routes the request to a scheme: the chosen scheme then validates everything, the issuer included.
    private static bool IssuedByUs(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        var token = header["Bearer ".Length..].Trim();
        return !TokenReader.CanReadToken(token) || TokenReader.ReadJsonWebToken(token).Issuer == TokenSettings.Issuer;
    }
}
