global using TicketMaster.BookingApi.Extensions;
global using TicketMaster.ServiceDefaults.Auth;
