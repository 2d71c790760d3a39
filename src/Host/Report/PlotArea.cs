namespace GpuEnet.Host.Report;

/// <summary>
/// The data rectangle of a chart: maps data coordinates to SVG pixels and draws the frame, grid, ticks and axis labels.
/// </summary>
internal sealed class PlotArea
{
    /// <summary>Creates the mapping; with <paramref name="reverseX"/> the x axis runs from high (left) to low (right).</summary>
    public PlotArea(double left, double top, double right, double bottom, NiceScale x, NiceScale y, bool reverseX = false)
    {
        Left = left;
        Top = top;
        Right = right;
        Bottom = bottom;
        XScale = x;
        YScale = y;
        ReverseX = reverseX;
    }

    public double Left { get; }

    public double Top { get; }

    public double Right { get; }

    public double Bottom { get; }

    public NiceScale XScale { get; }

    public NiceScale YScale { get; }

    public bool ReverseX { get; }

    /// <summary>Pixel x of a data value.</summary>
    public double X(double v)
    {
        double t = (v - XScale.Min) / (XScale.Max - XScale.Min);
        return ReverseX ? Right - (t * (Right - Left)) : Left + (t * (Right - Left));
    }

    /// <summary>Pixel y of a data value.</summary>
    public double Y(double v) => Bottom - ((v - YScale.Min) / (YScale.Max - YScale.Min) * (Bottom - Top));

    /// <summary>Grid lines, the frame, tick labels on the left and bottom, and the two axis titles.</summary>
    public void DrawAxes(SvgCanvas svg, string xLabel, string yLabel)
    {
        foreach (double t in YScale.Ticks)
        {
            double py = Y(t);
            svg.Line(Left, py, Right, py, "#e4e4e4");
            svg.Line(Left - 4, py, Left, py, "#555");
            svg.Text(Left - 7, py + 4, Markup.Tick(t, YScale.Decimals), "end", "#444", 11);
        }

        foreach (double t in XScale.Ticks)
        {
            double px = X(t);
            svg.Line(px, Top, px, Bottom, "#efefef");
            svg.Line(px, Bottom, px, Bottom + 4, "#555");
            svg.Text(px, Bottom + 17, Markup.Tick(t, XScale.Decimals), "middle", "#444", 11);
        }

        svg.Rect(Left, Top, Right - Left, Bottom - Top, "none", "#888");
        svg.Text((Left + Right) / 2, Bottom + 36, xLabel, "middle", "#222", 12);
        double cy = (Top + Bottom) / 2;
        svg.Text(Left - 48, cy, yLabel, "middle", "#222", 12, rotate: -90);
    }

    /// <summary>Whether a pixel x lies inside the data rectangle (with a little slack).</summary>
    public bool ContainsX(double px) => px >= Left - 0.5 && px <= Right + 0.5;
}
