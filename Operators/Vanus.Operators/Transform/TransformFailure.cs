namespace Vanus.Operators.Transform;

/// <summary>An action's failure on one event; the pipeline runner turns it into a <see cref="TransformException"/> that names the action.</summary>
internal sealed class TransformFailure(string reason) : Exception(reason);
