namespace TicketMaster.ServiceDefaults;

/// <summary>
/// Settings a service must not run with (a simulated payment gateway or dev tokens outside Development, a missing
/// provider): Program writes the message as one line and exits non-zero, before anything listens or connects.
/// </summary>
public sealed class StartupRefusedException(string message) : Exception(message);
