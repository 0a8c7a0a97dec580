/*
 * The C `main` of the Moddable host build (x-cli-lin leaves it to the app): prepares the machine
 * xsl linked, with every module preloaded and the built-ins frozen exactly as on the ESP32, calls
 * the default export of the creation's `main` module (sim/moddable/main.ts) and pumps the GLib
 * loop, where lin_xs.c queues the promise jobs, until nothing is left to run. The simulation's
 * time is virtual: there are no timers, so an empty loop means the run is over.
 */

#include "xsAll.h"
#include "mc.xs.h"

void fxAbort(txMachine *the, int status)
{
	fprintf(stderr, "wmbus-sim: XS aborted: %s\n", fxAbortString(status));
	exit(status != 0 ? status : 1);
}

int main(int argc, char *argv[])
{
	txPreparation *preparation = xsPreparation();
	xsMachine *machine = fxPrepareMachine(NULL, preparation, "wmbus-sim", NULL, NULL);
	int status = 0;
	if (!machine) {
		fprintf(stderr, "wmbus-sim: the preloaded machine does not match this XS\n");
		return 2;
	}
	xsBeginHost(machine);
	{
		xsVars(1);
		xsTry {
			xsVar(0) = xsAwaitImport(preparation->main, XS_IMPORT_DEFAULT);
			xsCallFunction0(xsVar(0), xsGlobal);
		}
		xsCatch {
			fprintf(stderr, "wmbus-sim: %s\n", xsToString(xsException));
			status = 1;
		}
	}
	xsEndHost(machine);
	while (status == 0 && g_main_context_iteration(NULL, FALSE))
		;
	xsDeleteMachine(machine);
	return status;
}
