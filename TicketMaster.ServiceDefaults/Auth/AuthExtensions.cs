using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using TicketMaster.ServiceDefaults.Auth;

namespace Microsoft.Extensions.Hosting;

// Both APIs trust the same JWTs (DESIGN §6): sub = user id, role claims organizer / staff, HMAC-SHA256 with the
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

        var tokens = new TokenSettings(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)));
        builder.Services.AddSingleton(tokens);

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                // Nothing reads the raw token back from the authentication properties: don't copy it there per request.
                options.SaveToken = false;
                options.TokenValidationParameters = tokens.ValidationParameters;
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Roles.Organizer, policy => policy.RequireRole(Roles.Organizer))
            .AddPolicy(Roles.Staff, policy => policy.RequireRole(Roles.Staff));

        return builder;
    }
}
