// The command table, classroom mode: classroom.*. The listener itself belongs to the web host's layer,
// handed in as a capability (ClassroomControl): the engine never imports the web host.
import { ContractError, MAX_VIEWERS, type Caller, type ClassroomControl, type ClassroomStatus, type CommandHandlers } from '../../../../shared/contract/index.js';

type ClassroomCommand = 'classroom.status' | 'classroom.start' | 'classroom.stop';

/** Where the lab keeps the classroom capability, once a face that can serve viewers provides it. */
export class ClassroomSlot {
  private control: ClassroomControl | null = null;

  /** Gives the lab a way to start and stop the viewers' listener; the returned function takes it back. */
  provide(control: ClassroomControl): () => void {
    this.control = control;
    return () => {
      if (this.control === control) this.control = null;
    };
  }

  status(caller: Caller): ClassroomStatus {
    const link = this.control?.link() ?? null;
    return {
      role: caller.role,
      available: this.control !== null,
      on: link !== null,
      link: caller.role === 'operator' ? link : null,
      viewers: this.control?.viewers() ?? 0,
      maxViewers: MAX_VIEWERS,
    };
  }

  required(): ClassroomControl {
    if (this.control) return this.control;
    throw new ContractError({ code: 'conflict', message: 'classroom mode needs the web host: run `firedrill serve --classroom` (this window has no listener for viewers)', field: 'name' });
  }
}

export function classroomCommands(slot: ClassroomSlot): Pick<CommandHandlers, ClassroomCommand> {
  return {
    'classroom.status': (_params, caller) => slot.status(caller),
    'classroom.start': async (_params, caller) => {
      await slot.required().start();
      return slot.status(caller);
    },
    'classroom.stop': async (_params, caller) => {
      await slot.required().stop();
      return slot.status(caller);
    },
  };
}
