global using TicketMaster.EventsApi.Extensions;
