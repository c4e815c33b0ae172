namespace Vanus.Cli.Output;

/// <summary>Writes rows as aligned columns (two spaces apart, no trailing blanks), as kubectl and docker print lists.</summary>
internal sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public int Count => _rows.Count;

    public Table Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"a row has {cells.Length} cells, the table {headers.Length} columns", nameof(cells));
        }

        _rows.Add(cells);
        return this;
    }

    public void WriteTo(TextWriter output)
    {
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in _rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        WriteRow(output, headers, widths);
        foreach (var row in _rows)
        {
            WriteRow(output, row, widths);
        }
    }

    /// <summary>Writes name/value pairs as two aligned columns without a header.</summary>
    public static void WriteProperties(TextWriter output, IEnumerable<KeyValuePair<string, string>> properties)
    {
        var list = properties.ToList();
        var width = list.Count == 0 ? 0 : list.Max(p => p.Key.Length) + 1;
        foreach (var (name, value) in list)
        {
            output.WriteLine($"{(name + ":").PadRight(width)}  {value}");
        }
    }

    private static void WriteRow(TextWriter output, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            var last = i == cells.Length - 1;
            output.Write(last ? cells[i] : cells[i].PadRight(widths[i] + 2));
        }

        output.WriteLine();
    }

    /// <summary>Makes text fit one table cell: control characters become spaces, and text over <paramref name="max"/> is cut with an ellipsis.</summary>
    public static string Fit(string text, int max)
    {
        var clean = string.Create(text.Length, text, static (span, t) =>
        {
            for (var i = 0; i < t.Length; i++)
            {
                span[i] = char.IsControl(t[i]) ? ' ' : t[i];
            }
        });
        return clean.Length <= max ? clean : string.Concat(clean.AsSpan(0, max - 1), "…");
    }
}
