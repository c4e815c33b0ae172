namespace Vanus.Operators.Cel;

/// <summary>
/// CEL's gradual type checker: resolves every name (variables, type denotations, macro variables), infers the static
/// type of each node and rejects calls no overload accepts. <c>dyn</c> defers the decision to runtime. With
/// <c>strict</c> off it only resolves names, as cel-spec's conformance tests with <c>disable_check</c> require.
/// </summary>
internal sealed class CelChecker(string source, ICelDeclarations declarations, bool strict)
{
    private static readonly (CelKind A, CelKind B, CelKind Result)[] AddOverloads =
    [
        (CelKind.Int, CelKind.Int, CelKind.Int), (CelKind.Uint, CelKind.Uint, CelKind.Uint), (CelKind.Double, CelKind.Double, CelKind.Double),
        (CelKind.String, CelKind.String, CelKind.String), (CelKind.Bytes, CelKind.Bytes, CelKind.Bytes), (CelKind.List, CelKind.List, CelKind.List),
        (CelKind.Timestamp, CelKind.Duration, CelKind.Timestamp), (CelKind.Duration, CelKind.Timestamp, CelKind.Timestamp),
        (CelKind.Duration, CelKind.Duration, CelKind.Duration),
    ];

    private static readonly (CelKind A, CelKind B, CelKind Result)[] SubtractOverloads =
    [
        (CelKind.Int, CelKind.Int, CelKind.Int), (CelKind.Uint, CelKind.Uint, CelKind.Uint), (CelKind.Double, CelKind.Double, CelKind.Double),
        (CelKind.Timestamp, CelKind.Timestamp, CelKind.Duration), (CelKind.Timestamp, CelKind.Duration, CelKind.Timestamp),
        (CelKind.Duration, CelKind.Duration, CelKind.Duration),
    ];

    private static readonly (CelKind A, CelKind B, CelKind Result)[] MultiplyOverloads =
    [
        (CelKind.Int, CelKind.Int, CelKind.Int), (CelKind.Uint, CelKind.Uint, CelKind.Uint), (CelKind.Double, CelKind.Double, CelKind.Double),
    ];

    private static readonly (CelKind A, CelKind B, CelKind Result)[] ModuloOverloads =
    [
        (CelKind.Int, CelKind.Int, CelKind.Int), (CelKind.Uint, CelKind.Uint, CelKind.Uint),
    ];

    private static readonly (CelKind A, CelKind B, CelKind Result)[] CompareOverloads =
    [
        (CelKind.Int, CelKind.Int, CelKind.Bool), (CelKind.Uint, CelKind.Uint, CelKind.Bool), (CelKind.Double, CelKind.Double, CelKind.Bool),
        (CelKind.Int, CelKind.Uint, CelKind.Bool), (CelKind.Int, CelKind.Double, CelKind.Bool), (CelKind.Uint, CelKind.Int, CelKind.Bool),
        (CelKind.Uint, CelKind.Double, CelKind.Bool), (CelKind.Double, CelKind.Int, CelKind.Bool), (CelKind.Double, CelKind.Uint, CelKind.Bool),
        (CelKind.Bool, CelKind.Bool, CelKind.Bool), (CelKind.String, CelKind.String, CelKind.Bool), (CelKind.Bytes, CelKind.Bytes, CelKind.Bool),
        (CelKind.Timestamp, CelKind.Timestamp, CelKind.Bool), (CelKind.Duration, CelKind.Duration, CelKind.Bool),
    ];

    private readonly List<(string Name, CelType Type, int Slot)> _scope = [];

    /// <summary>How many frame slots the macros of the expression need.</summary>
    public int SlotCount { get; private set; }

    public CelType Check(CelNode node)
    {
        var type = Visit(node);
        node.Type = type;
        return type;
    }

    private CelType Visit(CelNode node)
    {
        var type = node switch
        {
            LiteralNode literal => LiteralType(literal.Value),
            IdentNode ident => Ident(ident),
            SelectNode select => Select(select),
            CallNode call => Call(call),
            ListNode list => List(list),
            MapNode map => Map(map),
            ComprehensionNode comprehension => Comprehension(comprehension),
            DataVariableNode data => Data(data),
            MessageNode message => throw Fail(message, $"message construction ({message.TypeName}{{...}}) is not supported: there are no protobuf message types here"),
            _ => throw new InvalidOperationException($"Unknown CEL node {node.GetType().Name}."),
        };
        node.Type = type;
        return type;
    }

    private static CelType LiteralType(in CelValue value) => CelType.Of(value.Kind);

    private CelType Ident(IdentNode ident)
    {
        var name = ident.Name.StartsWith('.') ? ident.Name[1..] : ident.Name;
        if (!ident.Name.StartsWith('.'))
        {
            for (var i = _scope.Count - 1; i >= 0; i--)
            {
                if (_scope[i].Name == name)
                {
                    ident.Slot = _scope[i].Slot;
                    return _scope[i].Type;
                }
            }
        }

        if (declarations.FindVariable(name) is { } variable)
        {
            ident.Variable = variable;
            return variable.Type;
        }

        if (CelTypeValue.ByName(name) is { } typeValue)
        {
            var value = CelValue.Type(typeValue);
            ident.Variable = new CelVariable(CelType.TypeType, (ref CelFrame _) => value);
            return CelType.TypeType;
        }

        if (strict)
        {
            throw Fail(ident, $"undeclared reference to '{name}'");
        }

        var error = CelValue.Error($"undeclared reference to '{name}'");
        ident.Variable = new CelVariable(CelType.Dyn, (ref CelFrame _) => error);
        return CelType.Dyn;
    }

    private CelType Select(SelectNode select)
    {
        // A dotted name may name a declaration as a whole (google.protobuf.Timestamp); the longest match wins.
        if (!select.TestOnly && DottedName(select) is { } dotted && !IsLocal(dotted))
        {
            var name = dotted.StartsWith('.') ? dotted[1..] : dotted;
            if (declarations.FindVariable(name) is { } variable)
            {
                select.Variable = variable;
                return variable.Type;
            }

            if (CelTypeValue.ByName(name) is { } typeValue)
            {
                var value = CelValue.Type(typeValue);
                select.Variable = new CelVariable(CelType.TypeType, (ref CelFrame _) => value);
                return CelType.TypeType;
            }
        }

        var operand = Visit(select.Operand);
        var result = operand.Kind switch
        {
            CelKind.Error => CelType.Dyn,
            CelKind.Map when CelType.Compatible(operand.First!, CelType.String) => operand.Second!,
            _ => null,
        };
        if (result is null)
        {
            if (strict)
            {
                throw Fail(select, select.TestOnly
                    ? $"has() cannot test field '{select.Field}' of a value of type {operand}"
                    : $"type {operand} does not support field selection ('.{select.Field}')");
            }

            result = CelType.Dyn;
        }

        return select.TestOnly ? CelType.Bool : result;
    }

    private bool IsLocal(string dotted)
    {
        var first = dotted.Split('.')[0];
        return _scope.Exists(s => s.Name == first);
    }

    private static string? DottedName(CelNode node) => node switch
    {
        IdentNode ident => ident.Name,
        SelectNode { TestOnly: false } select when DottedName(select.Operand) is { } prefix => prefix + "." + select.Field,
        _ => null,
    };

    private CelType List(ListNode list)
    {
        CelType? element = null;
        foreach (var item in list.Elements)
        {
            var type = Visit(item);
            element = element is null ? type : CelType.Join(element, type);
        }

        return CelType.List(element ?? CelType.Dyn);
    }

    private CelType Map(MapNode map)
    {
        CelType? key = null;
        CelType? value = null;
        for (var i = 0; i < map.Keys.Length; i++)
        {
            var k = Visit(map.Keys[i]);
            if (strict && k.Kind is not (CelKind.Int or CelKind.Uint or CelKind.Bool or CelKind.String or CelKind.Error))
            {
                throw Fail(map.Keys[i], $"a map key must be int, uint, bool or string, not {k}");
            }

            var v = Visit(map.Values[i]);
            key = key is null ? k : CelType.Join(key, k);
            value = value is null ? v : CelType.Join(value, v);
        }

        return CelType.Map(key ?? CelType.Dyn, value ?? CelType.Dyn);
    }

    private CelType Data(DataVariableNode data)
    {
        if (declarations.FindDataVariable(data.Path, data.TypeName, out var error) is not { } variable)
        {
            throw Fail(data, error ?? "data variables are not available here");
        }

        data.Variable = variable;
        return variable.Type;
    }

    private CelType Comprehension(ComprehensionNode node)
    {
        var range = Visit(node.Range);
        var variable = range.Kind switch
        {
            CelKind.List => range.First!,
            CelKind.Map => range.First!,
            CelKind.Error => CelType.Dyn,
            _ => null,
        };
        if (variable is null)
        {
            if (strict)
            {
                throw Fail(node, $"{MacroName(node.Kind)}() needs a list or a map, not {range}");
            }

            variable = CelType.Dyn;
        }

        var slot = _scope.Count;
        node.Slot = slot;
        SlotCount = Math.Max(SlotCount, slot + 1);
        _scope.Add((node.Variable, variable, slot));
        try
        {
            var step = Visit(node.Step);
            var transform = node.Transform is null ? null : Visit(node.Transform);
            var stepIsPredicate = node.Kind != MacroKind.Map || node.Transform is not null;
            if (strict && stepIsPredicate && !IsBoolish(step))
            {
                throw Fail(node.Step, $"the predicate of {MacroName(node.Kind)}() must be a bool, not {step}");
            }

            return node.Kind switch
            {
                MacroKind.Map => CelType.List(transform ?? step),
                MacroKind.Filter => CelType.List(variable),
                _ => CelType.Bool,
            };
        }
        finally
        {
            _scope.RemoveAt(_scope.Count - 1);
        }
    }

    private static string MacroName(MacroKind kind) => kind switch
    {
        MacroKind.All => "all",
        MacroKind.Exists => "exists",
        MacroKind.ExistsOne => "exists_one",
        MacroKind.Map => "map",
        _ => "filter",
    };

    private static bool IsBoolish(CelType type) => type.Kind is CelKind.Bool or CelKind.Error;

    private CelType Call(CallNode call)
    {
        var target = call.Target is null ? null : Visit(call.Target);
        var args = new CelType[call.Args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = Visit(call.Args[i]);
        }

        var result = Resolve(call, target, args, out var problem);
        if (result is not null)
        {
            return result;
        }

        if (strict)
        {
            throw Fail(call, problem ?? NoOverload(call, target, args));
        }

        return CelType.Dyn;
    }

    private static string NoOverload(CallNode call, CelType? target, CelType[] args)
    {
        var types = string.Join(", ", args.Select(a => a.ToString()));
        return target is null
            ? $"found no matching overload for '{call.Function}' applied to ({types})"
            : $"found no matching overload for '{call.Function}' applied to {target}.({types})";
    }

    private static CelType? Resolve(CallNode call, CelType? target, CelType[] args, out string? problem)
    {
        problem = null;
        var global = target is null;
        switch (call.Function)
        {
            case "_&&_" or "_||_" when args.Length == 2:
                return IsBoolish(args[0]) && IsBoolish(args[1]) ? CelType.Bool : null;
            case "!_" when args.Length == 1:
                return IsBoolish(args[0]) ? CelType.Bool : null;
            case "-_" when args.Length == 1:
                return args[0].Kind switch
                {
                    CelKind.Int => CelType.Int,
                    CelKind.Double => CelType.Double,
                    CelKind.Error => CelType.Dyn,
                    _ => null,
                };
            case "_?_:_" when args.Length == 3:
                if (!IsBoolish(args[0]))
                {
                    problem = $"the condition of '? :' must be a bool, not {args[0]}";
                    return null;
                }

                if (!CelType.Compatible(args[1], args[2]) && args[1].Kind != CelKind.Null && args[2].Kind != CelKind.Null)
                {
                    problem = $"the branches of '? :' have different types ({args[1]} and {args[2]})";
                    return null;
                }

                return CelType.Join(args[1], args[2]);
            case "_==_" or "_!=_" when args.Length == 2:
                return CelType.Compatible(args[0], args[1]) || args[0].Kind == CelKind.Null || args[1].Kind == CelKind.Null ? CelType.Bool : null;
            case "_<_" or "_<=_" or "_>_" or "_>=_" when args.Length == 2:
                return Binary(CompareOverloads, args[0], args[1]);
            case "_+_" when args.Length == 2:
                var sum = Binary(AddOverloads, args[0], args[1]);
                return sum?.Kind == CelKind.List && args[0].Kind == CelKind.List && args[1].Kind == CelKind.List ? CelType.Join(args[0], args[1]) : sum;
            case "_-_" when args.Length == 2:
                return Binary(SubtractOverloads, args[0], args[1]);
            case "_*_" or "_/_" when args.Length == 2:
                return Binary(MultiplyOverloads, args[0], args[1]);
            case "_%_" when args.Length == 2:
                return Binary(ModuloOverloads, args[0], args[1]);
            case "@in" when args.Length == 2:
                return args[1].Kind switch
                {
                    CelKind.List or CelKind.Map when CelType.Compatible(args[0], args[1].First!) || IsNumeric(args[0]) && IsNumeric(args[1].First!) => CelType.Bool,
                    CelKind.Error => CelType.Bool,
                    _ => null,
                };
            case "_[_]" when args.Length == 2:
                return args[0].Kind switch
                {
                    CelKind.List when args[1].Kind is CelKind.Int or CelKind.Uint or CelKind.Error => args[0].First,
                    CelKind.Map when CelType.Compatible(args[0].First!, args[1]) || IsNumeric(args[0].First!) && IsNumeric(args[1]) => args[0].Second,
                    CelKind.Error => CelType.Dyn,
                    _ => null,
                };
            case "size" when (global && args.Length == 1) || (!global && args.Length == 0):
                var sized = global ? args[0] : target!;
                return sized.Kind is CelKind.String or CelKind.Bytes or CelKind.List or CelKind.Map or CelKind.Error ? CelType.Int : null;
            case "contains" or "startsWith" or "endsWith" when !global && args.Length == 1:
                return Is(target!, CelKind.String) && Is(args[0], CelKind.String) ? CelType.Bool : null;
            case "matches" when (!global && args.Length == 1) || (global && args.Length == 2):
                return args.Append(target).All(a => a is null || Is(a, CelKind.String)) ? CelType.Bool : null;
            case "int" when global && args.Length == 1:
                return Accepts(args[0], CelKind.Int, CelKind.Uint, CelKind.Double, CelKind.String, CelKind.Timestamp) ? CelType.Int : null;
            case "uint" when global && args.Length == 1:
                return Accepts(args[0], CelKind.Int, CelKind.Uint, CelKind.Double, CelKind.String) ? CelType.Uint : null;
            case "double" when global && args.Length == 1:
                return Accepts(args[0], CelKind.Int, CelKind.Uint, CelKind.Double, CelKind.String) ? CelType.Double : null;
            case "string" when global && args.Length == 1:
                return Accepts(args[0], CelKind.Int, CelKind.Uint, CelKind.Double, CelKind.String, CelKind.Bytes, CelKind.Bool, CelKind.Timestamp, CelKind.Duration)
                    ? CelType.String : null;
            case "bytes" when global && args.Length == 1:
                return Accepts(args[0], CelKind.String, CelKind.Bytes) ? CelType.Bytes : null;
            case "bool" when global && args.Length == 1:
                return Accepts(args[0], CelKind.Bool, CelKind.String) ? CelType.Bool : null;
            case "dyn" when global && args.Length == 1:
                return CelType.Dyn;
            case "type" when global && args.Length == 1:
                return CelType.TypeType;
            case "timestamp" when global && args.Length == 1:
                return Accepts(args[0], CelKind.String, CelKind.Int, CelKind.Timestamp) ? CelType.Timestamp : null;
            case "duration" when global && args.Length == 1:
                return Accepts(args[0], CelKind.String, CelKind.Duration) ? CelType.Duration : null;
            case "getFullYear" or "getMonth" or "getDate" or "getDayOfMonth" or "getDayOfWeek" or "getDayOfYear"
                when !global && args.Length <= 1:
                return Is(target!, CelKind.Timestamp) && (args.Length == 0 || Is(args[0], CelKind.String)) ? CelType.Int : null;
            case "getHours" or "getMinutes" or "getSeconds" or "getMilliseconds" when !global && args.Length <= 1:
                if (args.Length == 0)
                {
                    return Accepts(target!, CelKind.Timestamp, CelKind.Duration) ? CelType.Int : null;
                }

                return Is(target!, CelKind.Timestamp) && Is(args[0], CelKind.String) ? CelType.Int : null;
            default:
                problem = KnownFunction(call.Function)
                    ? null
                    : $"undeclared reference to function '{call.Function}'";
                return null;
        }
    }

    private static bool KnownFunction(string name) => name.StartsWith('_') || name is "!_" or "-_" or "@in" or "size" or "contains" or "startsWith" or "endsWith" or "matches" or "int" or "uint"
        or "double" or "string" or "bytes" or "bool" or "dyn" or "type" or "timestamp" or "duration" or "getFullYear" or "getMonth"
        or "getDate" or "getDayOfMonth" or "getDayOfWeek" or "getDayOfYear" or "getHours" or "getMinutes" or "getSeconds"
        or "getMilliseconds";

    private static bool Is(CelType type, CelKind kind) => type.Kind == kind || type.IsDyn;

    private static bool IsNumeric(CelType type) => type.Kind is CelKind.Int or CelKind.Uint or CelKind.Double;

    private static bool Accepts(CelType type, params ReadOnlySpan<CelKind> kinds) => type.IsDyn || kinds.Contains(type.Kind);

    private static CelType? Binary((CelKind A, CelKind B, CelKind Result)[] overloads, CelType a, CelType b)
    {
        CelKind? result = null;
        var ambiguous = false;
        foreach (var (pa, pb, pr) in overloads)
        {
            if ((a.IsDyn || a.Kind == pa) && (b.IsDyn || b.Kind == pb))
            {
                ambiguous |= result is { } r && r != pr;
                result = pr;
            }
        }

        if (result is not { } kind)
        {
            return null;
        }

        if (ambiguous)
        {
            return CelType.Dyn;
        }

        return kind == CelKind.List ? (a.Kind == CelKind.List ? a : b.Kind == CelKind.List ? b : CelType.DynList) : CelType.Of(kind);
    }

    private CelParseException Fail(CelNode node, string message) => CelParseException.At(source, node.Offset, message);
}
