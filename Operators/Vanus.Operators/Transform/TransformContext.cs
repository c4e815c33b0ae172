using System.Text.Json;
using System.Text.Json.Nodes;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Transform;

/// <summary>
/// The state of one event while a transformer runs: the event as modified so far, its data parsed once into a JSON tree,
/// and the define variables. Not shared between events or threads.
/// </summary>
internal sealed class TransformContext(Event source, int defineCount)
{
    private JsonNode? _data;
    private DataState _state;
    private string? _dataProblem;

    private enum DataState : byte
    {
        Unparsed,
        Json,
        Absent,
        NotJson,
        Invalid,
    }

    /// <summary>The event with every attribute change applied so far.</summary>
    public Event Event { get; set; } = source;

    /// <summary>The define variables by slot, evaluated before the pipeline runs; null when a variable has no value.</summary>
    public JsonNode?[] Defines { get; } = defineCount == 0 ? [] : new JsonNode?[defineCount];

    /// <summary>True once an action has written the data; the data then goes out re-serialised as JSON.</summary>
    public bool DataChanged { get; private set; }

    /// <summary>The data root in scope for reading: the parsed tree, or null when the event has no data or its data is not JSON.</summary>
    public JsonNode? ReadData()
    {
        EnsureParsed();
        if (_state == DataState.Invalid)
        {
            throw new TransformFailure(_dataProblem!);
        }

        return _data;
    }

    /// <summary>The data root in scope for writing: null when there is none yet; fails when the data is not JSON.</summary>
    public JsonNode? DataForWrite()
    {
        EnsureParsed();
        switch (_state)
        {
            case DataState.Invalid:
                throw new TransformFailure(_dataProblem!);
            case DataState.NotJson:
                throw new TransformFailure(_dataProblem!);
            default:
                return _data;
        }
    }

    /// <summary>Replaces the data root in scope, whatever it was before (the value must have no parent).</summary>
    public void SetData(JsonNode? root)
    {
        _data = root;
        _state = DataState.Json;
        DataChanged = true;
    }

    /// <summary>Marks the data as changed after an in-place edit of the tree.</summary>
    public void MarkDataChanged() => DataChanged = true;

    /// <summary>
    /// Runs <paramref name="body"/> with <paramref name="element"/> as the data root, the way ARRAY_FOREACH runs its commands
    /// on each element, and returns the element as the body left it.
    /// </summary>
    public JsonNode? RunScoped(JsonNode? element, Action<TransformContext> body)
    {
        EnsureParsed();
        var (data, state, problem) = (_data, _state, _dataProblem);
        _data = element;
        _state = DataState.Json;
        try
        {
            body(this);
            return _data;
        }
        finally
        {
            (_data, _state, _dataProblem) = (data, state, problem);

            // The element belongs to the event's data, so editing it edits the data.
            DataChanged = true;
        }
    }

    private void EnsureParsed()
    {
        if (_state != DataState.Unparsed)
        {
            return;
        }

        var e = Event;
        if (e.Data is not { } bytes || bytes.Length == 0)
        {
            _state = DataState.Absent;
            return;
        }

        try
        {
            _data = JsonNode.Parse(bytes.Span);
            _state = DataState.Json;
        }
        catch (JsonException ex)
        {
            // Vanus parses the data whatever its content type says; only data that claims to be JSON is an error when it is not.
            if (e.IsJsonData)
            {
                _state = DataState.Invalid;
                _dataProblem = $"the event data is not valid JSON ({ex.Message})";
            }
            else
            {
                _state = DataState.NotJson;
                _dataProblem = $"the event data ({e.DataContentType}) is not JSON, so $.data paths cannot be written";
            }
        }
    }
}
