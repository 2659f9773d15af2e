using TicketMaster.Onsale;

namespace TicketMaster.Bench;

// The picture of a run: admissions, holds and sales (left axis) and p99 latency (right axis) over time.
public static class OnsalePlot
{
    public static void Save(OnsaleReport report, string path)
    {
        var plot = new ScottPlot.Plot();
        var samples = report.Samples;
        var seconds = samples.Select(s => s.Seconds).ToArray();
        void Line(IEnumerable<double> values, string label) => plot.Add.Scatter(seconds, values.ToArray()).LegendText = label;
        Line(samples.Select(s => (double)s.Admitted), "admitted fans");
        Line(samples.Select(s => (double)s.Held), "seats held");
        Line(samples.Select(s => (double)s.Sold), "seats sold");
        var p99 = plot.Add.Scatter(seconds, samples.Select(s => s.P99Ms).ToArray());
        p99.LegendText = "p99 reserve+confirm (ms, right)";
        p99.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Bottom.Label.Text = "seconds since start";
        plot.Axes.Left.Label.Text = "fans / seats";
        plot.Axes.Right.Label.Text = "p99 latency (ms)";
        plot.Title($"Onsale: {report.Seats:N0} seats, sold {report.Sold:N0}, double sold {report.DoubleSold}");
        plot.ShowLegend();
        plot.SavePng(path, 1400, 800);
    }
}
