using System.Globalization;
using TicketMaster.Messaging;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.EventsApi.Events;

public static class EventValidation
{
    public const int MaxDescriptionLength = 5_000;
    public const int MaxPerformers = 20;
    public const long MaxPriceCents = 10_000_000;
    public const int MaxTicketsPerUserLimit = 50;

    /// <summary>Event times are between these: earlier is a typo, later is no sale anyone plans (and keeps date arithmetic in range).</summary>
    public static readonly DateTimeOffset EarliestTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan LatestAhead = TimeSpan.FromDays(5 * 366);

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
        else if (request.PerformerIds is { } performers)
        {
            if (performers.Any(p => p <= 0))
            {
                errors.Add("performer_ids", "performer ids are positive integers");
            }
            if (performers.Distinct().Count() != performers.Count)
            {
                errors.Add("performer_ids", "each performer at most once");
            }
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
            // Without on_sale_at the sale opens now (EventStore), which must still be before the start.
            errors.Merge(CheckTimes(start, end, request.OnSaleAt ?? DateTimeOffset.UtcNow, request.RefundableUntil));
        }
        CheckTicketLimit(errors, request.MaxTicketsPerUser);
        CheckRefundFee(errors, request.RefundFeeCents);
        CheckHoldSeconds(errors, request.HoldSeconds);
        CheckSectionOrder(errors, request.SectionOrder);

        if (request.Prices is not { Count: > 0 })
        {
            errors.Add("prices", "a price (in cents) for every section of the venue is required");
        }
        else if (request.Prices.Count > Venues.VenuesApi.MaxSections)
        {
            errors.Add("prices", $"a venue has at most {Venues.VenuesApi.MaxSections} sections");
        }
        else
        {
            foreach (var (section, cents) in request.Prices)
            {
                // Canonical ids only: "0123" would be a second key for section 123.
                if (!long.TryParse(section, NumberStyles.None, CultureInfo.InvariantCulture, out var sectionId) || sectionId <= 0
                    || sectionId.ToString(CultureInfo.InvariantCulture) != section)
                {
                    errors.Add("prices", $"'{Shorten(section)}' is not a section id (a positive integer without leading zeros)");
                    continue;
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
        // Times are checked by the store against the stored values they are combined with; each must be in range.
        CheckWindow(errors, "starts_at", request.StartsAt);
        CheckWindow(errors, "ends_at", request.EndsAt);
        CheckWindow(errors, "on_sale_at", request.OnSaleAt);
        CheckWindow(errors, "refundable_until", request.RefundableUntil);
        CheckTicketLimit(errors, request.MaxTicketsPerUser);
        CheckRefundFee(errors, request.RefundFeeCents);
        CheckHoldSeconds(errors, request.HoldSeconds);
        CheckSectionOrder(errors, request.SectionOrder);
        return errors;
    }

    public static ValidationErrors CheckTimes(DateTimeOffset startsAt, DateTimeOffset endsAt, DateTimeOffset onSaleAt, DateTimeOffset? refundableUntil)
    {
        var errors = new ValidationErrors();
        CheckWindow(errors, "starts_at", startsAt);
        CheckWindow(errors, "ends_at", endsAt);
        CheckWindow(errors, "on_sale_at", onSaleAt);
        CheckWindow(errors, "refundable_until", refundableUntil);
        // A ticket is refundable before its event starts, never after.
        if (refundableUntil > startsAt)
        {
            errors.Add("refundable_until", "must not be after starts_at");
        }
        if (endsAt < startsAt)
        {
            errors.Add("ends_at", "must not be before starts_at");
        }
        if (onSaleAt >= startsAt)
        {
            errors.Add("on_sale_at", "must be before starts_at (the sale opens before the event starts)");
        }
        return errors;
    }

    private static void CheckWindow(ValidationErrors errors, string field, DateTimeOffset? time)
    {
        if (time is { } value && (value < EarliestTime || value > DateTimeOffset.UtcNow + LatestAhead))
        {
            errors.Add(field, $"must be between {EarliestTime:yyyy-MM-dd} and {LatestAhead.TotalDays / 366:F0} years from now");
        }
    }

    /// <summary>User input quoted in an error, cut to a readable length.</summary>
    public static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";

    private static void CheckRefundFee(ValidationErrors errors, long? feeCents)
    {
        if (feeCents is < 0 or > MaxPriceCents)
        {
            errors.Add("refund_fee_cents", $"must be between 0 and {MaxPriceCents} cents");
        }
    }

    /// <summary>The shortest and longest hold an owner may give their event: time to pay, but not to sit on seats.</summary>
    public const int MinHoldSeconds = 120, MaxHoldSeconds = 600;

    private static void CheckHoldSeconds(ValidationErrors errors, int? holdSeconds)
    {
        if (holdSeconds is < MinHoldSeconds or > MaxHoldSeconds)
        {
            errors.Add("hold_seconds", $"must be between {MinHoldSeconds} and {MaxHoldSeconds} seconds");
        }
    }

    // Whether the ids are the event's venue's sections is the store's to check.
    private static void CheckSectionOrder(ValidationErrors errors, List<long>? sectionOrder)
    {
        if (sectionOrder is null)
        {
            return;
        }
        if (sectionOrder.Count > Venues.VenuesApi.MaxSections || sectionOrder.Any(s => s <= 0))
        {
            errors.Add("section_order", $"at most {Venues.VenuesApi.MaxSections} section ids, each positive");
        }
        else if (sectionOrder.Distinct().Count() != sectionOrder.Count)
        {
            errors.Add("section_order", "each section at most once");
        }
    }

    private static void CheckTicketLimit(ValidationErrors errors, int? maxTicketsPerUser)
    {
        if (maxTicketsPerUser is < 1 or > MaxTicketsPerUserLimit)
        {
            errors.Add("max_tickets_per_user", $"must be between 1 and {MaxTicketsPerUserLimit}");
        }
    }
}
