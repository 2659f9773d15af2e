namespace TicketMaster.Web.Pages;

public sealed record SearchForm(string? Q, string? City, string? From, string? To);
