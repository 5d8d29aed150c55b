import { UsersService } from '../../src/users/users.service';
import { AppInstance } from './app-instance';
import { SignedIn, signedInAgent } from './signed-in-agent';

/**
 * Signs up a fresh user, makes it an admin through the instance's own users service, and signs in:
 * the agent may call the admin routes (product writes, reports, the user list).
 */
export async function adminAgent(instance: AppInstance, name = 'Test Admin'): Promise<SignedIn> {
  const signedIn = await signedInAgent(instance.url, name);
  const admin = await instance.app.get(UsersService).setRole(signedIn.user.email, 'admin');
  return { ...signedIn, user: JSON.parse(JSON.stringify(admin)) as SignedIn['user'] };
}
