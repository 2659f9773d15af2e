global using TicketMaster.Indexer.Extensions;
