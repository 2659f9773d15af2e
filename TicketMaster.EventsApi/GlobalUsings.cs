global using TicketMaster.EventsApi.Extensions;
global using TicketMaster.ServiceDefaults.Auth;
