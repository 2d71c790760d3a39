using System.Text;

namespace GpuEnet.Host.Report;

/// <summary>
/// Writes one inline SVG element with plain presentation attributes (no CSS references, no url(), no scripts),
/// so the drawing is well-formed XML and renders with scripting off.
/// </summary>
internal sealed class SvgCanvas
{
    private readonly StringBuilder _sb = new();

    /// <summary>Starts an SVG of the given size in CSS pixels; <paramref name="title"/> is its accessible name.</summary>
    public SvgCanvas(double width, double height, string title)
    {
        Width = width;
        Height = height;
        _sb.Append("<svg class=\"chart\" viewBox=\"0 0 ").Append(Markup.Coord(width)).Append(' ').Append(Markup.Coord(height))
            .Append("\" width=\"").Append(Markup.Coord(width)).Append("\" height=\"").Append(Markup.Coord(height))
            .Append("\" role=\"img\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">")
            .Append("<title>").Append(Markup.Escape(title)).Append("</title>\n");
    }

    /// <summary>Width in CSS pixels.</summary>
    public double Width { get; }

    /// <summary>Height in CSS pixels.</summary>
    public double Height { get; }

    /// <summary>A straight line.</summary>
    public void Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? dash = null, string? cssClass = null)
    {
        _sb.Append("<line");
        Class(cssClass);
        _sb.Append(" x1=\"").Append(Markup.Coord(x1)).Append("\" y1=\"").Append(Markup.Coord(y1))
            .Append("\" x2=\"").Append(Markup.Coord(x2)).Append("\" y2=\"").Append(Markup.Coord(y2))
            .Append("\" stroke=\"").Append(stroke).Append("\" stroke-width=\"").Append(Markup.Coord(width)).Append('"');
        if (dash is not null)
        {
            _sb.Append(" stroke-dasharray=\"").Append(dash).Append('"');
        }

        _sb.Append("/>\n");
    }

    /// <summary>An open polyline through the points; <paramref name="tooltip"/> becomes a hover title.</summary>
    public void Polyline(IReadOnlyList<(double X, double Y)> points, string stroke, double width, string? cssClass = null, string? tooltip = null, double opacity = 1)
    {
        _sb.Append("<polyline");
        Class(cssClass);
        _sb.Append(" fill=\"none\" stroke=\"").Append(stroke).Append("\" stroke-width=\"").Append(Markup.Coord(width))
            .Append("\" stroke-linejoin=\"round\"");
        if (opacity < 1)
        {
            _sb.Append(" stroke-opacity=\"").Append(opacity.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)).Append('"');
        }

        _sb.Append(" points=\"");
        for (int i = 0; i < points.Count; i++)
        {
            if (i > 0)
            {
                _sb.Append(' ');
            }

            _sb.Append(Markup.Coord(points[i].X)).Append(',').Append(Markup.Coord(points[i].Y));
        }

        _sb.Append('"');
        CloseWithTooltip("polyline", tooltip);
    }

    /// <summary>A rectangle.</summary>
    public void Rect(double x, double y, double w, double h, string fill, string? stroke = null, string? cssClass = null, string? tooltip = null)
    {
        _sb.Append("<rect");
        Class(cssClass);
        _sb.Append(" x=\"").Append(Markup.Coord(x)).Append("\" y=\"").Append(Markup.Coord(y))
            .Append("\" width=\"").Append(Markup.Coord(Math.Max(0, w))).Append("\" height=\"").Append(Markup.Coord(Math.Max(0, h)))
            .Append("\" fill=\"").Append(fill).Append('"');
        if (stroke is not null)
        {
            _sb.Append(" stroke=\"").Append(stroke).Append('"');
        }

        CloseWithTooltip("rect", tooltip);
    }

    /// <summary>A filled circle.</summary>
    public void Circle(double cx, double cy, double r, string fill, string? stroke = null, string? cssClass = null, string? tooltip = null)
    {
        _sb.Append("<circle");
        Class(cssClass);
        _sb.Append(" cx=\"").Append(Markup.Coord(cx)).Append("\" cy=\"").Append(Markup.Coord(cy))
            .Append("\" r=\"").Append(Markup.Coord(r)).Append("\" fill=\"").Append(fill).Append('"');
        if (stroke is not null)
        {
            _sb.Append(" stroke=\"").Append(stroke).Append('"');
        }

        CloseWithTooltip("circle", tooltip);
    }

    /// <summary>Text; <paramref name="anchor"/> is start, middle or end. The text is escaped here.</summary>
    public void Text(double x, double y, string text, string anchor = "start", string fill = "#222", double size = 12, bool bold = false, double rotate = 0, string? cssClass = null)
    {
        _sb.Append("<text");
        Class(cssClass);
        _sb.Append(" x=\"").Append(Markup.Coord(x)).Append("\" y=\"").Append(Markup.Coord(y)).Append('"');
        if (anchor != "start")
        {
            _sb.Append(" text-anchor=\"").Append(anchor).Append('"');
        }

        if (fill != "#222")
        {
            _sb.Append(" fill=\"").Append(fill).Append('"');
        }

        if (size != 12)
        {
            _sb.Append(" font-size=\"").Append(Markup.Coord(size)).Append('"');
        }

        if (bold)
        {
            _sb.Append(" font-weight=\"bold\"");
        }

        if (rotate != 0)
        {
            _sb.Append(" transform=\"rotate(").Append(Markup.Coord(rotate)).Append(' ').Append(Markup.Coord(x)).Append(' ').Append(Markup.Coord(y)).Append(")\"");
        }

        _sb.Append('>').Append(Markup.Escape(text)).Append("</text>\n");
    }

    /// <summary>The finished SVG element.</summary>
    public override string ToString() => _sb.ToString() + "</svg>";

    private void Class(string? cssClass)
    {
        if (cssClass is not null)
        {
            _sb.Append(" class=\"").Append(cssClass).Append('"');
        }
    }

    private void CloseWithTooltip(string element, string? tooltip)
    {
        if (tooltip is null)
        {
            _sb.Append("/>\n");
        }
        else
        {
            _sb.Append("><title>").Append(Markup.Escape(tooltip)).Append("</title></").Append(element).Append(">\n");
        }
    }
}
