global using TicketMaster.BookingApi.Extensions;
