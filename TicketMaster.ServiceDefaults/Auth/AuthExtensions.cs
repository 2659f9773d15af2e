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

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                // Nothing reads the raw token back from the authentication properties: don't copy it there per request.
                options.SaveToken = false;
                options.TokenValidationParameters = tokens.ValidationParameters;
                options.Events = new JwtBearerEvents
                {
                    // A signed token is still refused when its subject could not be stored or compared as a user id.
                    OnTokenValidated = context =>
                    {
                        if (!UserIds.IsAcceptable(context.Principal?.FindFirst("sub")?.Value))
                        {
                            context.Fail($"The token's sub must be 1 to {UserIds.MaxLength} characters.");
                        }
                        return Task.CompletedTask;
                    },
                };
            });

        builder.Services.AddAuthorizationBuilder()
            // An admin may do whatever an organizer or door staff may; which event is theirs is checked per request.
            .AddPolicy(Roles.Organizer, policy => policy.RequireRole(Roles.Organizer, Roles.Admin))
            .AddPolicy(Roles.Staff, policy => policy.RequireRole(Roles.Staff, Roles.Admin))
            .AddPolicy(Roles.Admin, policy => policy.RequireRole(Roles.Admin))
            .AddPolicy(Roles.SearchIndexer, policy => policy.RequireRole(Roles.SearchIndexer, Roles.Admin))
            .AddPolicy(Roles.BookingService, policy => policy.RequireRole(Roles.BookingService, Roles.Admin));

        return builder;
    }
}
