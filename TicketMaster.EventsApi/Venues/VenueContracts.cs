namespace TicketMaster.EventsApi.Venues;

public sealed record CreateVenueRequest(string? Name, string? City, string? Address, List<CreateSectionRequest>? Sections);

public sealed record CreateSectionRequest(string? Name, List<CreateRowRequest>? Rows);

public sealed record CreateRowRequest(string? Label, int Seats);

public sealed record VenueResponse(long VenueId, string Name, string City, string Address, IReadOnlyList<SectionResponse> Sections);

public sealed record SectionResponse(long SectionId, string Name, int SeatCount);
