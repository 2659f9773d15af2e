using System.Globalization;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.EventsApi.Events;

public static class EventValidation
{
    public const int MaxDescriptionLength = 5_000;
    public const int MaxPerformers = 20;
    public const long MaxPriceCents = 10_000_000;
    public const int MaxTicketsPerUserLimit = 50;

    public static ValidationErrors ValidateCreate(CreateEventRequest request)
    {
        var errors = new ValidationErrors().RequireText("event_name", request.EventName, 200);
        if (request.Description is { Length: > MaxDescriptionLength })
        {
            errors.Add("description", $"must be at most {MaxDescriptionLength} characters");
        }
        if (request.VenueId is not > 0)
        {
            errors.Add("venue_id", "is required");
        }
        if (request.PerformerIds is { Count: > MaxPerformers })
        {
            errors.Add("performer_ids", $"at most {MaxPerformers} performers");
        }
        if (request.StartsAt is null)
        {
            errors.Add("starts_at", "is required (ISO 8601)");
        }
        if (request.EndsAt is null)
        {
            errors.Add("ends_at", "is required (ISO 8601)");
        }
        if (request.StartsAt is { } start && request.EndsAt is { } end)
        {
            errors.Merge(CheckTimes(start, end, request.OnSaleAt ?? start));
        }
        CheckTicketLimit(errors, request.MaxTicketsPerUser);

        if (request.Prices is not { Count: > 0 })
        {
            errors.Add("prices", "a price (in cents) for every section of the venue is required");
        }
        else
        {
            foreach (var (section, cents) in request.Prices)
            {
                if (!long.TryParse(section, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add("prices", $"'{section}' is not a section id");
                }
                if (cents is < 0 or > MaxPriceCents)
                {
                    errors.Add("prices", $"price of section {section} must be between 0 and {MaxPriceCents} cents");
                }
            }
        }
        return errors;
    }

    public static ValidationErrors ValidateUpdate(UpdateEventRequest request)
    {
        var errors = new ValidationErrors();
        if (request.EventName is not null)
        {
            errors.RequireText("event_name", request.EventName, 200);
        }
        if (request.Description is { Length: > MaxDescriptionLength })
        {
            errors.Add("description", $"must be at most {MaxDescriptionLength} characters");
        }
        if (request.Status is not null && !EventStatuses.IsKnown(request.Status))
        {
            errors.Add("status", $"must be '{EventStatuses.Scheduled}' or '{EventStatuses.Cancelled}'");
        }
        // Times are checked by the store against the stored values they are combined with.
        CheckTicketLimit(errors, request.MaxTicketsPerUser);
        return errors;
    }

    public static ValidationErrors CheckTimes(DateTimeOffset startsAt, DateTimeOffset endsAt, DateTimeOffset onSaleAt)
    {
        var errors = new ValidationErrors();
        if (endsAt < startsAt)
        {
            errors.Add("ends_at", "must not be before starts_at");
        }
        if (onSaleAt > startsAt)
        {
            errors.Add("on_sale_at", "must not be after starts_at");
        }
        return errors;
    }

    private static void CheckTicketLimit(ValidationErrors errors, int? maxTicketsPerUser)
    {
        if (maxTicketsPerUser is < 1 or > MaxTicketsPerUserLimit)
        {
            errors.Add("max_tickets_per_user", $"must be between 1 and {MaxTicketsPerUserLimit}");
        }
    }
}
