global using Vanus.Testing.Fakes;
global using Xunit;
