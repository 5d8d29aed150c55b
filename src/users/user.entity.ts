import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Role } from './role';

@Entity('users')
@Index('UQ_users_email', ['email'], { unique: true })
@Index('IDX_users_created_at', ['createdAt'])
@Check('CHK_users_email_lower', `"email" = lower("email")`)
@Check('CHK_users_role', `"role" IN ('member', 'admin')`)
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 16, default: 'member' })
  role: Role;

  /** Never selected unless asked for (`addSelect`), so it cannot leak into an answer or a cache. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, select: false })
  passwordHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
