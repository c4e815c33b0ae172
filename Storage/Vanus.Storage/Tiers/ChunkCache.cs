using System.Security.Cryptography;
using System.Text;
using Vanus.Storage.Files;

namespace Vanus.Storage.Tiers;

/// <summary>
/// A bounded local cache of decompressed cold chunks, one file each, named after the cold object's key and the chunk's
/// index; the least recently used go first. Its files are only a copy: readers check every chunk against the CRC in the
/// object's header, so a damaged file or one another log left under the same name is fetched again, never returned.
/// </summary>
internal sealed class ChunkCache
{
    private const int MaxKeyPart = 160;
    private const string Suffix = ".chunk";
    private readonly IFileSystem _fs;
    private readonly string _directory;
    private readonly long _maxBytes;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Name, int Size)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Name, int Size)> _recency = new();
    private long _bytes;

    public ChunkCache(IFileSystem fs, string directory, long maxBytes)
    {
        _fs = fs;
        _directory = directory;
        _maxBytes = maxBytes;
        fs.CreateDirectory(directory);

        // The cache is rebuilt from the cold tier on demand: what a previous process left is dropped (its chunks only).
        foreach (var path in fs.List(directory, Suffix))
        {
            fs.Delete(path);
        }
    }

    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    public byte[]? TryGet(string name)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(name, out var node))
            {
                return null;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
        }

        try
        {
            using var file = _fs.OpenRead(PathOf(name));
            var bytes = new byte[file.Length];
            return file.Read(0, bytes) == bytes.Length ? bytes : null;
        }
        catch (FileNotFoundException)
        {
            // Evicted between the lookup and the read.
            return null;
        }
    }

    public void Put(string name, byte[] chunk)
    {
        using (var file = _fs.Open(PathOf(name), create: true))
        {
            file.SetLength(0);
            file.Write(0, chunk);
        }

        var evict = new List<string>();
        lock (_gate)
        {
            if (_entries.Remove(name, out var old))
            {
                _recency.Remove(old);
                _bytes -= old.Value.Size;
            }

            _entries[name] = _recency.AddFirst((name, chunk.Length));
            _bytes += chunk.Length;
            while (_bytes > _maxBytes && _recency.Last is { } last && last != _recency.First)
            {
                _recency.RemoveLast();
                _entries.Remove(last.Value.Name);
                _bytes -= last.Value.Size;
                evict.Add(last.Value.Name);
            }
        }

        foreach (var gone in evict)
        {
            _fs.Delete(PathOf(gone));
        }
    }

    /// <summary>Drops every chunk whose name starts with <paramref name="prefix"/> (a deleted segment's).</summary>
    public void RemoveAll(string prefix)
    {
        List<string> gone;
        lock (_gate)
        {
            gone = _entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            foreach (var name in gone)
            {
                _recency.Remove(_entries[name]);
                _bytes -= _entries[name].Value.Size;
                _entries.Remove(name);
            }
        }

        foreach (var name in gone)
        {
            _fs.Delete(PathOf(name));
        }
    }

    /// <summary>The cache name of chunk <paramref name="index"/> of the object at <paramref name="key"/>.</summary>
    public static string NameOf(string key, int index) => PrefixOf(key) + index.ToString("D8", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What the names of every chunk of the object at <paramref name="key"/> start with.</summary>
    public static string PrefixOf(string key)
    {
        // The key made a file name: letters, digits, '.' and '-' as they are, every other byte as '_' and two hex digits
        // (so distinct keys give distinct names); a key too long for a file name is replaced by its SHA-256.
        var part = new StringBuilder(key.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b == '.' || b == '-')
            {
                part.Append((char)b);
            }
            else
            {
                part.Append('_').Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var name = part.Length <= MaxKeyPart ? part.ToString() : "sha256_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return name + "_";
    }

    private string PathOf(string name) => Path.Combine(_directory, name + Suffix);
}
