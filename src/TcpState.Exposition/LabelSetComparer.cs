namespace TcpState.Exposition;

/// <summary>
/// Compares normalized label sets (as <see cref="PrometheusNaming.NormalizeLabels"/> returns them:
/// sorted by name, names unique) by content, so that they can key the series kept between collections.
/// </summary>
internal sealed class LabelSetComparer : IEqualityComparer<MetricLabel[]>
{
    private LabelSetComparer()
    {
    }

    public static LabelSetComparer Instance { get; } = new();

    /// <summary>Orders label sets label by label (name, then value, ordinal), shorter sets first.</summary>
    public static int Compare(MetricLabel[] x, MetricLabel[] y)
    {
        var common = Math.Min(x.Length, y.Length);
        for (var i = 0; i < common; i++)
        {
            var result = string.CompareOrdinal(x[i].Name, y[i].Name);
            if (result != 0)
            {
                return result;
            }

            result = string.CompareOrdinal(x[i].Value, y[i].Value);
            if (result != 0)
            {
                return result;
            }
        }

        return x.Length.CompareTo(y.Length);
    }

    public bool Equals(MetricLabel[]? x, MetricLabel[]? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || x.Length != y.Length)
        {
            return false;
        }

        for (var i = 0; i < x.Length; i++)
        {
            if (!string.Equals(x[i].Name, y[i].Name, StringComparison.Ordinal)
                || !string.Equals(x[i].Value, y[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(MetricLabel[] obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var hash = new HashCode();
        foreach (var label in obj)
        {
            hash.Add(label.Name, StringComparer.Ordinal);
            hash.Add(label.Value, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }
}
