using System.Reflection;
using StackExchange.Redis;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.BookingApi.WaitingRoom;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Reservations;

// A Lua script that does not compile fails only when first run — and a fire-and-forget call fails silently. Redis
// compiles every script here (SCRIPT LOAD), so none reaches a sale broken.
[Collection(AppHostCollection.Name)]
public sealed class LuaScriptTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Every_script_compiles_in_Redis()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.GetConnectionStringAsync("redis") + ",allowAdmin=true");
        var server = redis.GetServers().Single();
        var scripts = new[] { typeof(HoldScripts), typeof(WaitingRoomScripts) }
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string) && ((string)f.GetRawConstantValue()!).Contains("redis.call"))
            .ToList();
        Assert.True(scripts.Count >= 7, $"{scripts.Count} scripts found");

        foreach (var field in scripts)
        {
            var sha = await server.ScriptLoadAsync((string)field.GetRawConstantValue()!);
            Assert.True(sha.Length == 20, $"{field.DeclaringType!.Name}.{field.Name} loaded");
        }
    }
}
