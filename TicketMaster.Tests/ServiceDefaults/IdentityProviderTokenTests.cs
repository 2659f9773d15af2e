using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TicketMaster.ServiceDefaults.Auth;

namespace TicketMaster.Tests.ServiceDefaults;

// A person signed in at the site with OpenID Connect calls the APIs with the provider's token: the services' own
// authentication (AddTicketMasterAuthentication) accepts it next to TicketMaster's own tokens, and nothing else. The
// provider is the external party here, so it is a small local one (discovery document and JWKS over HTTP).
public sealed class IdentityProviderTokenTests : IAsyncLifetime
{
    private const string ClientId = "ticketmaster-web";
    private static readonly string SigningKey = new('s', 48);

    private readonly RSA _providerKey = RSA.Create(2048);
    private WebApplication _provider = null!;
    private WebApplication _api = null!;
    private string _authority = "";

    public async Task InitializeAsync()
    {
        var providerBuilder = WebApplication.CreateSlimBuilder();
        providerBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        _provider = providerBuilder.Build();
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_providerKey.ExportParameters(false)) { KeyId = "idp-1" });
        _provider.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, string>
        {
            ["issuer"] = _authority, ["jwks_uri"] = _authority + "/jwks",
        }));
        _provider.MapGet("/jwks", () => Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = jwk.Kid, n = jwk.N, e = jwk.E } } }));
        await _provider.StartAsync();
        _authority = _provider.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        var apiBuilder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        apiBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        apiBuilder.Configuration["Auth:SigningKey"] = SigningKey;
        apiBuilder.Configuration["Auth:Oidc:Authority"] = _authority;
        apiBuilder.Configuration["Auth:Oidc:Audience"] = ClientId;
        apiBuilder.AddTicketMasterAuthentication();
        _api = apiBuilder.Build();
        _api.UseAuthentication();
        _api.UseAuthorization();
        _api.MapGet("/organizers-only", (System.Security.Claims.ClaimsPrincipal user) => user.UserId()).RequireAuthorization(Roles.Organizer);
        await _api.StartAsync();
    }

    [Fact]
    public async Task The_providers_token_and_our_own_are_accepted_and_a_forged_or_misdirected_one_is_not()
    {
        Assert.Equal((HttpStatusCode.OK, "alice"), await CallAsync(ProviderToken("alice", ClientId, _providerKey)));
        Assert.Equal((HttpStatusCode.OK, "bob"), await CallAsync(
            new TokenSettings(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(SigningKey))).Issue("bob", [Roles.Organizer], TimeSpan.FromMinutes(5))));

        using var otherKey = RSA.Create(2048);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(ProviderToken("mallory", ClientId, otherKey))).Status);   // not the provider's key
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(ProviderToken("alice", "another-app", _providerKey))).Status); // issued to another client
        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(ProviderToken("carol", ClientId, _providerKey, roles: []))).Status); // no organizer role
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync("not-a-token")).Status);
    }

    private string ProviderToken(string subject, string audience, RSA key, string[]? roles = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _authority,
            Audience = audience,
            Expires = DateTime.UtcNow.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["role"] = roles ?? [Roles.Organizer] },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = "idp-1" }, SecurityAlgorithms.RsaSha256),
        });

    private async Task<(HttpStatusCode Status, string Body)> CallAsync(string token)
    {
        var address = _api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await http.GetAsync("/organizers-only");
        return (response.StatusCode, (await response.Content.ReadAsStringAsync()).Trim('"'));
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _provider.DisposeAsync();
        _providerKey.Dispose();
    }
}
