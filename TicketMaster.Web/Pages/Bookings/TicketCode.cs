using QRCoder;

namespace TicketMaster.Web.Pages.Bookings;

public static class TicketCode
{
    /// <summary>The ticket's signed code as a QR image (SVG data URI): what door staff scan.</summary>
    public static string QrDataUri(string code)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(code, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(4);
        return "data:image/svg+xml;base64," + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(svg));
    }
}
